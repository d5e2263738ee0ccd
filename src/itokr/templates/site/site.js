/* itokr site: sorting and filtering for the objectives tables. Every page reads whole
   without it; it only adds sort buttons to the column headers of `table.sortable`,
   shows the filter form, and keeps the chosen filters in the address (#health=...) so
   a filtered view can be bookmarked or linked. No data is ever put in as HTML. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function sortKey(row, index, type) {
    var cell = row.cells[index];
    var value = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (type === "number") {
      var number = parseFloat(value);
      return isNaN(number) ? -Infinity : number;
    }
    return value.toLowerCase();
  }

  function makeSortable(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (header, index) {
      var type = header.getAttribute("data-sort-type");
      if (!type) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      while (header.firstChild) {
        button.appendChild(header.firstChild);
      }
      header.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var keyed = rows.map(function (row, position) {
          return { row: row, key: sortKey(row, index, type), position: position };
        });
        keyed.sort(function (a, b) {
          var order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
          return (ascending ? order : -order) || a.position - b.position;
        });
        keyed.forEach(function (item) {
          body.appendChild(item.row);
        });
      });
    });
  }

  function readHash() {
    var wanted = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try {
          wanted[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
        } catch (error) {
          /* a malformed address filters nothing */
        }
      }
    });
    return wanted;
  }

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    var status = form.nextElementSibling;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var total = table.tBodies[0].rows.length;

    function apply(remember) {
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var keep = selects.every(function (select) {
          return !select.value || row.getAttribute("data-" + select.name) === select.value;
        });
        row.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      var noun = total === 1 ? " objective" : " objectives";
      status.textContent = shown === total ? total + noun : "Showing " + shown + " of " + total + noun;
      if (remember) {
        var chosen = selects.filter(function (select) {
          return select.value;
        }).map(function (select) {
          return encodeURIComponent(select.name) + "=" + encodeURIComponent(select.value);
        });
        history.replaceState(null, "", chosen.length ? "#" + chosen.join("&") : location.pathname + location.search);
      }
    }

    function fromHash() {
      var wanted = readHash();
      selects.forEach(function (select) {
        var value = wanted[select.name] || "";
        var known = Array.prototype.some.call(select.options, function (option) {
          return option.value === value;
        });
        select.value = known ? value : "";
      });
      apply(false);
    }

    form.addEventListener("change", function () {
      apply(true);
    });
    form.addEventListener("reset", function () {
      setTimeout(function () {
        apply(true);
      }, 0);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    window.addEventListener("hashchange", function () {
      fromHash();
      form.scrollIntoView({ block: "start" }); /* a bar of the chart was followed: show its rows */
    });
    form.hidden = false;
    fromHash();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form.filters"), makeFilterable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
