"""PATH arguments, as pre-commit passes them: files reported on, the root as context."""

from __future__ import annotations

from pathlib import Path

from itokr.errors import UsageError


def chosen(paths: list[Path], root: Path) -> list[Path]:
    """The given paths, resolved; each must exist below the root (exit 2 otherwise)."""
    resolved = []
    real_root = root.resolve()  # okrs/ may be a symbolic link
    for path in paths:
        full = path.resolve()
        if not full.exists():
            raise UsageError(f"{path}: no such file or directory")
        if full != real_root and real_root not in full.parents:
            raise UsageError(f"{path} is not below the OKR root {root}")
        resolved.append(full)
    return resolved


def within(path: str, paths: list[Path]) -> bool:
    """Whether a file (as findings and entries name it) is one of `paths` or below one."""
    full = Path(path).resolve()
    return any(full == each or each in full.parents for each in paths)
