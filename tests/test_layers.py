"""The layers stay visible: a command module calls the core and the shared CLI helpers
(`itokr.cli.app`, `usage`, `paths`), never another command; the core never imports the
command line (only the entry point, `itokr.__main__`, runs it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "itokr"
SHARED = {"itokr.cli", "itokr.cli.app", "itokr.cli.usage", "itokr.cli.paths"}


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


COMMAND_MODULES = sorted(
    path
    for path in (SRC / "cli").glob("*.py")
    if f"itokr.cli.{path.stem}" not in SHARED and path.stem != "__init__"
)


@pytest.mark.parametrize("path", COMMAND_MODULES, ids=lambda path: path.stem)
def test_a_command_module_imports_no_other_command(path: Path) -> None:
    own = f"itokr.cli.{path.stem}"
    # `from itokr.cli.app import x` lists `itokr.cli.app.x` too: what counts is the module
    modules = {".".join(name.split(".")[:3]) for name in _imports(path)}
    others = {name for name in modules if name.startswith("itokr.cli.")} - SHARED - {own}
    assert others == set()


def test_the_core_never_imports_the_command_line() -> None:
    core = [
        path
        for path in SRC.rglob("*.py")
        if "cli" not in path.relative_to(SRC).parts and path.name != "__main__.py"
    ]
    assert core, "the core is where it was"
    leaks = {
        str(path.relative_to(SRC)): sorted(n for n in _imports(path) if n.startswith("itokr.cli"))
        for path in core
    }
    assert {name: found for name, found in leaks.items() if found} == {}
