"""How the command line explains itself: `--help` pages, usage lines and usage errors.

Typer parses; itokr words the help and the errors, so they read the same in every
command and on every Typer release: `itokr: what is wrong`, the usage line, where
to look. Global options given after the command (`itokr status --root X`) are
moved before it, as a user of gh or ruff expects.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from itokr.render.help import Entry, Page

GLOBAL_EPILOG = "The global options --root PATH, --debug and --version work here too (itokr -h)."


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def _choices(param: Any) -> list[str]:
    """The values a choice parameter takes (Typer 0.29 keeps them in a type descriptor)."""
    holder = getattr(param, "type_descriptor", None) or getattr(param, "type", None)
    values = getattr(holder, "choices", None) or ()
    return [str(value.value if isinstance(value, Enum) else value) for value in values]


def _value_name(param: Any) -> str:
    """The metavar, else the long option's name (`--format` takes a FORMAT)."""
    if param.metavar:
        return str(param.metavar)
    longs = [opt for opt in param.opts if opt.startswith("--")]
    name = longs[0][2:] if longs else param.name or "value"
    return name.upper().replace("_", "-")


def _argument_usage(param: Any) -> str:
    name = _value_name(param)
    name = name if param.required else f"[{name}]"
    return f"{name}..." if param.nargs != 1 else name


def usage(command: Any, ctx: Any) -> str:
    """`itokr status [OPTIONS]`, `itokr checkin [OPTIONS] REF [VALUE]`."""
    pieces = [ctx.command_path, "[OPTIONS]"]
    pieces += [
        _argument_usage(p) for p in command.get_params(ctx) if p.param_type_name == "argument"
    ]
    if isinstance(command, TyperGroup):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def _option_entry(param: Any, indent: bool) -> Entry:
    from itokr.render.help import Entry

    shorts = [opt for opt in [*param.opts, *param.secondary_opts] if not opt.startswith("--")]
    longs = [opt for opt in [*param.opts, *param.secondary_opts] if opt.startswith("--")]
    term = ", ".join(shorts + longs)
    if not shorts and indent:
        term = f"    {term}"  # long-only options line up under `-f, --format`
    text = param.help or ""
    if not _is_flag(param):
        term = f"{term} {_value_name(param)}"
        choices = _choices(param)
        words = set(re.findall(r"[\w-]+", text))
        if choices and not set(choices) <= words:
            text = f"{text} One of: {', '.join(choices)}.".strip()
        default = param.default
        if param.show_default is not False and default not in (None, "", ()):
            shown = default.value if isinstance(default, Enum) else default
            text = f"{text} [default: {shown}]".strip()
    return Entry(term, text)


def page(command: Any, ctx: Any) -> Page:
    """The help of `command`, as data for `render.help`."""
    from itokr.render.help import Entry, Page, Section

    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    arguments = [p for p in params if p.param_type_name == "argument"]
    options = [p for p in params if p.param_type_name == "option"]
    indent = any(not opt.startswith("--") for p in options for opt in p.opts)
    sections = [
        Section("Arguments", tuple(Entry(_argument_usage(p), p.help or "") for p in arguments)),
        Section(
            "Global options" if ctx.parent is None else "Options",
            tuple(_option_entry(p, indent) for p in options),
        ),
    ]
    if isinstance(command, TyperGroup):
        commands = [command.get_command(ctx, name) for name in command.list_commands(ctx)]
        sections.append(
            Section(
                "Commands",
                tuple(
                    Entry(c.name or "", _first_paragraph(c.help or ""))
                    for c in commands
                    if c is not None and not c.hidden
                ),
            )
        )
    epilog = GLOBAL_EPILOG if ctx.parent is not None else ""
    return Page(usage(command, ctx), command.help or "", tuple(sections), epilog)


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


def _width() -> int:
    return shutil.get_terminal_size().columns


def _show_usage_error(error: Any) -> None:
    """`itokr: message`, then the usage line and where the help is, on stderr.

    The message quotes what was typed (`No such option: --x`): made inert, as
    `itokr.cli.app.complain` does, so an argument cannot drive the terminal."""
    from itokr.inert import terminal
    from itokr.wording import plain

    message = terminal(plain(error.format_message()))
    ctx = getattr(error, "ctx", None)
    lines = [f"itokr: {message}"]
    if ctx is not None:
        lines.append(f"Usage: {usage(ctx.command, ctx)}")
        lines.append(f"Try '{ctx.command_path} --help' for help.")
    sys.stderr.write("\n".join(lines) + "\n")


class _Explained:
    """Help and usage errors in itokr's words (mixed into Typer's command classes)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from itokr.render.help import render

        formatter.write(render(page(self, ctx), _width()))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write(f"Usage: {usage(self, ctx)}\n")


class Command(_Explained, TyperCommand):
    """An itokr command: also takes the global options after its name."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._lift_globals(ctx, args))

    def _lift_globals(self, ctx: Any, args: list[str]) -> list[str]:
        """Apply --root, --debug and --version written after the command; return the rest."""
        from itokr import __version__

        valued = {
            opt
            for p in self.get_params(ctx)
            if p.param_type_name == "option" and not _is_flag(p)
            for opt in [*p.opts, *p.secondary_opts]
        }
        kept: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                kept += [arg, *rest]
            elif arg in valued:  # its value is the option's, whatever it looks like
                kept.append(arg)
                value = next(rest, None)
                kept += [] if value is None else [value]
            elif arg == "--root" or arg.startswith("--root="):
                root = arg.partition("=")[2] if "=" in arg else next(rest, None)
                if root is None:
                    raise typer.BadParameter("--root needs a PATH", ctx=ctx)
                top = ctx.find_root()
                top.obj = dataclasses.replace(top.obj, root=root)
            elif arg == "--version":
                typer.echo(f"itokr {__version__}")
                raise typer.Exit()
            elif arg != "--debug":  # read from the arguments by itokr.cli.debugging
                kept.append(arg)
        return kept


class Group(_Explained, TyperGroup):
    """The `itokr` group: usage errors shown as `itokr: ...`, not as Typer's panels."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.Abort:
            sys.stderr.write("itokr: aborted\n")
            code = 1
        except typer.TyperException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # bare `itokr`: the help
                from itokr.render.help import render

                sys.stderr.write(render(page(self, error.ctx), _width()))  # type: ignore[attr-defined]
            else:
                _show_usage_error(error)
            code = error.exit_code
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)
