"""The site's output directory: refused when foreign, never written through a link."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from itokr.errors import UsageError
from itokr.sitedir import MARKER, publish

PAGES = {"index.html": b"<p>top</p>", "objectives/a.html": b"<p>a</p>", "site.css": b"p{}"}


def _tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in directory.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def test_a_new_directory_gets_the_files_and_a_marker_listing_them(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "site"
    assert publish(out, PAGES.items()) == sorted(PAGES)
    assert {k: v for k, v in _tree(out).items() if k != MARKER} == PAGES
    marker = json.loads((out / MARKER).read_bytes())
    assert marker["generator"] == "itokr" and marker["files"] == sorted(PAGES)
    assert not [p for p in out.rglob("*") if "itokr-tmp" in p.name]


def test_a_link_where_the_site_needs_a_directory_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "site"
    out.mkdir()
    (out / "objectives").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="objectives is a symbolic link"):
        publish(out, PAGES.items(), force=True)
    assert list(elsewhere.iterdir()) == []


def test_a_refused_build_leaves_the_last_one_whole(tmp_path: Path) -> None:
    """The link is found before any page is written: the last build stays as it was,
    not half replaced."""
    out = tmp_path / "site"
    publish(out, {"index.html": b"<p>old</p>", "site.css": b"old{}"}.items())
    before = _tree(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "objectives").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="objectives is a symbolic link"):
        publish(out, PAGES.items())
    assert _tree(out) == before
    assert list(elsewhere.iterdir()) == []


def test_a_link_where_a_page_goes_is_replaced_not_followed(tmp_path: Path) -> None:
    precious = tmp_path / "bashrc"
    precious.write_bytes(b"keep me")
    out = tmp_path / "site"
    publish(out, PAGES.items())
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(precious)
    publish(out, PAGES.items())
    assert precious.read_bytes() == b"keep me"
    assert not (out / "index.html").is_symlink()
    assert (out / "index.html").read_bytes() == PAGES["index.html"]


def test_outdir_itself_may_be_a_link_the_user_made(tmp_path: Path) -> None:
    real = tmp_path / "build"
    real.mkdir()
    (tmp_path / "public").symlink_to(real)
    publish(tmp_path / "public", PAGES.items())
    assert (real / "index.html").read_bytes() == PAGES["index.html"]


def test_a_marker_naming_paths_outside_is_no_marker(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"x")
    out = tmp_path / "site"
    out.mkdir()
    forged = {"generator": "itokr", "files": ["../victim.txt", "/etc/hostname"]}
    (out / MARKER).write_text(json.dumps(forged), encoding="utf-8")
    publish(out, PAGES.items())  # the files it names are not ours: nothing is removed
    assert victim.read_bytes() == b"x"
    (out / MARKER).write_text("not json", encoding="utf-8")
    with pytest.raises(UsageError, match="holds no itokr site"):
        publish(out, PAGES.items())


def test_files_of_the_last_build_that_are_gone_are_removed_with_their_folder(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    publish(out, {**PAGES, "kpis/mttr.html": b"k"}.items())
    (out / "objectives" / "notes.txt").write_bytes(b"mine")
    publish(out, {"index.html": b"new"}.items())
    assert _tree(out) == {
        "index.html": b"new",
        "objectives/notes.txt": b"mine",
        MARKER: (out / MARKER).read_bytes(),
    }
    assert not (out / "kpis").exists()


def test_nothing_is_written_when_the_pages_cannot_be_made(tmp_path: Path) -> None:
    def failing() -> Iterator[tuple[str, bytes]]:
        yield "index.html", b"x"
        raise RuntimeError("a template broke")

    out = tmp_path / "site"
    with pytest.raises(RuntimeError):
        publish(out, failing())
    assert not out.exists()


def test_a_path_leaving_the_site_is_a_bug_not_a_write(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a path inside the site"):
        publish(tmp_path / "site", [("../escape.html", b"x")])
    assert not (tmp_path / "escape.html").exists()


def test_a_directory_it_cannot_make_is_an_error_naming_it(tmp_path: Path) -> None:
    from itokr.errors import ItokrError

    (tmp_path / "file").write_bytes(b"")
    out = tmp_path / "file" / "site"
    with pytest.raises(ItokrError, match=f"cannot write the site to {out}: Not a directory"):
        publish(out, PAGES.items())
