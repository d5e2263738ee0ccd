"""Where `itokr measure` reads numbers: Prometheus, JSON over HTTP, CSV/JSON files,
commands. The only code of itokr that reaches the network (with `webhook`, where
`itokr due --notify` posts its digests).

A `Reader` holds the sources of one root for one run: it expands their `${VAR}`s
(only here, only for this run), shares one HTTP client between threads, reads each
file once, and redacts every secret from whatever it lets out.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from itokr.errors import ItokrError
from itokr.model.sources import Source, SourceRef
from itokr.sources.failure import CODES, SourceFailure
from itokr.sources.secrets import Secrets

if TYPE_CHECKING:
    import httpx

    from itokr.sources import command
    from itokr.sources.files import Table

__all__ = ["CODES", "Reader", "SourceFailure"]


@dataclass(frozen=True, slots=True)
class _Ready:
    """A source with its `${VAR}`s expanded."""

    source: Source
    target: str  # the URL or file path
    argv: tuple[str, ...]
    headers: Mapping[str, str]


class RedactedError(Exception):
    """An unexpected error while reading sources, its message cleared of secrets."""


class Reader:
    """Reads the named `sources` of a root whose itokr.yaml is in `base`.

    `env` is the environment to expand `${VAR}` from and to run commands with; `now`
    caps the time of a Prometheus query (the end of today has not come yet).
    """

    def __init__(
        self,
        sources: Mapping[str, Source],
        *,
        env: Mapping[str, str],
        base: Path,
        now: dt.datetime,
        connections: int,
    ) -> None:
        self._sources = sources
        self._env = env
        self._base = base
        self._now = now
        self._connections = connections
        self._secrets = Secrets(env)
        self._ready: dict[str, _Ready | SourceFailure] = {}
        self._client: httpx.Client | None = None
        self._tables: dict[str, Table | SourceFailure] = {}
        self._lock = threading.Lock()
        self._commands: command.Running | None = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._commands is not None:  # none runs unless the run was interrupted
            self._commands.end()
        if self._client is not None:
            self._client.close()

    def prepare(self, name: str) -> None:
        """Expand source `name` now, in one thread; an unset variable fails (E609)."""
        if name not in self._ready:
            try:
                self._ready[name] = self._expand(self._sources[name])
            except SourceFailure as failure:
                self._ready[name] = SourceFailure(failure.code, self.redact(failure.message))
        ready = self._ready[name]
        if isinstance(ready, SourceFailure):
            raise ready

    def _expand(self, source: Source) -> _Ready:
        headers = {
            key: self._secrets.expand(value) for key, value in (source.headers or {}).items()
        }
        for value in headers.values():
            self._secrets.add(value)  # a header is a secret even when written out in full
        target = source.prometheus or source.http or source.file or ""
        argv = tuple(self._secrets.expand(arg) for arg in source.command or ())
        return _Ready(source, self._secrets.expand(target), argv, headers)

    def read(self, name: str, ref: SourceRef, day: dt.date) -> float:
        """The number `ref` reads from source `name` at the end of `day` (UTC)."""
        try:
            self.prepare(name)
            ready = self._ready[name]
            assert isinstance(ready, _Ready)
            return self._read(ready, ref, day)
        except SourceFailure as failure:
            raise SourceFailure(failure.code, self.redact(failure.message)) from None

    def _read(self, ready: _Ready, ref: SourceRef, day: dt.date) -> float:
        source = ready.source
        if source.prometheus is not None:
            from itokr.sources import prometheus

            assert ref.query is not None
            end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
            at = min(end_of_day, self._now)
            return prometheus.query(
                self._session(),
                ready.target,
                ref.query,
                at,
                headers=ready.headers,
                timeout=float(source.timeout),
            )
        if source.http is not None:
            from itokr.sources import jsonapi

            assert ref.path is not None
            return jsonapi.read(
                self._session(),
                ready.target,
                ref.path,
                day,
                headers=ready.headers,
                timeout=float(source.timeout),
            )
        if source.file is not None:
            assert ref.column is not None
            return self._table(ready.target, source.file).value(ref.column, day)
        from itokr.sources import command

        env = {**self._env, "ITOKR_AS_OF": day.isoformat()}
        argv = (*ready.argv, *(ref.args or ()))
        return command.run(
            argv,
            cwd=self._base.parent,
            env=env,
            timeout=float(source.timeout),
            running=self._running_commands(),
        )

    def _running_commands(self) -> command.Running:
        from itokr.sources import command

        with self._lock:
            if self._commands is None:
                self._commands = command.Running()
            return self._commands

    def _session(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                from itokr.sources import web

                self._client = web.client(self._connections)
            return self._client

    def _table(self, path: str, written: str) -> Table:
        """Each file is read once a run, whichever thread asks first."""
        from itokr.sources import files

        with self._lock:
            if path not in self._tables:
                try:
                    self._tables[path] = files.load(self._base / path, written)
                except SourceFailure as failure:
                    self._tables[path] = failure
            table = self._tables[path]
        if isinstance(table, SourceFailure):
            raise SourceFailure(table.code, table.message)
        return table

    def redact(self, text: str) -> str:
        """`text` with every secret of this run masked."""
        return self._secrets.redact(text)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Let no secret out through an unexpected error (itokr's bug, shown with --debug):
        its message is redacted; its traceback shows code, never values."""
        try:
            yield
        except Exception as error:
            if isinstance(error, SourceFailure | RedactedError | ItokrError):
                raise
            message = f"{type(error).__name__}: {self.redact(str(error))}"
            raise RedactedError(message).with_traceback(error.__traceback__) from None
