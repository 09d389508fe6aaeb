"""What a command runs with: the parsed arguments, the :class:`Env`, a lazy client, output.

Every command's ``run(args, ctx)`` gets a :class:`Context`. It builds the client on first use
(credentials per CONTRACTS §10), types fields through per-entity
:class:`~autotask.cli.values.fieldtypes.FieldTable` objects, writes records in the chosen format,
asks for confirmation before destructive work, and makes progress bars.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from autotask.cli.credentials import Settings, resolve
from autotask.cli.env import Env
from autotask.cli.exitcodes import ConfirmationRefused
from autotask.cli.output import (
    OutputOptions,
    RecordWriter,
    default_format,
    record_writer,
    write_document,
)
from autotask.cli.output.progress import ProgressBar
from autotask.cli.values.entityref import EntityRef, parse_entity_ref
from autotask.cli.values.fieldtypes import FieldTable
from autotask.errors import ConfigError

if TYPE_CHECKING:
    from autotask.client import AutotaskClient
    from autotask.core.entities import Entity

__all__ = ["Context"]


class Context:
    """One run of one command.

    Args:
        args: the parsed arguments (global options included).
        env: streams, terminal facts and environment.

    Attributes:
        format: the output format (``--output``, else table on a terminal, else jsonl).
        quiet: ``--quiet``: no progress bars, no notes (errors and summaries still show).
        debug: ``--debug``.
    """

    def __init__(self, args: argparse.Namespace, env: Env) -> None:
        self.args = args
        self.env = env
        self.format: str = getattr(args, "output", None) or default_format(env.stdout_isatty)
        self.quiet = bool(getattr(args, "quiet", False))
        self.debug = bool(getattr(args, "debug", False))
        self._settings: Settings | None = None
        self._client: AutotaskClient | None = None
        self._tables: dict[str, FieldTable] = {}

    # -- connection ------------------------------------------------------------------------

    def settings(self) -> Settings:
        """The resolved credentials and settings (read once)."""
        if self._settings is None:
            self._settings = resolve(self.args, self.env.environ)
        return self._settings

    def client(self) -> AutotaskClient:
        """The client, built on first use.

        Raises:
            ConfigError: no credentials, a bad setting, an unsafe profiles file.
        """
        if self._client is None:
            from autotask.client import AutotaskClient
            from autotask.config import Credentials, RequestConfig

            settings = self.settings()
            settings.require_credentials()
            values = settings.values
            config: dict[str, Any] = {}
            for key, field, kind in (
                ("timeout", "timeout", float),
                ("retries", "max_retries", int),
                ("impersonation_resource_id", "impersonation_resource_id", int),
            ):
                if key in values:
                    try:
                        config[field] = kind(values[key])
                    except ValueError:
                        raise ConfigError(
                            f"{key} {values[key]!r} (from {settings.sources[key]}) is not a number"
                        ) from None
            for key in ("zone_lookup_url", "ca_file"):
                if key in values:
                    config[key] = values[key]
            credentials = Credentials(
                values["username"].strip(), values["integration_code"].strip(), values["secret"]
            )
            self._client = AutotaskClient(
                credentials,
                RequestConfig(**config),
                base_url=values.get("api_url") or None,
                environ=self.env.environ,
            )
        return self._client

    def entity(self, ref: str | EntityRef) -> Entity:
        """The library entity for an ENTITY argument (``Tickets`` or ``Tickets/5/Notes``).

        Raises:
            UsageError: an unknown entity or child route.
        """
        if isinstance(ref, str):
            ref = parse_entity_ref(ref)
        if ref.parent is not None:
            assert ref.parent_id is not None and ref.segment is not None
            return self.client().entity(ref.parent).child(ref.parent_id, ref.segment)
        return self.client().entity(ref.name)

    def fields(self, entity: Entity) -> FieldTable:
        """The field table of ``entity`` (metadata asked once per run)."""
        table = self._tables.get(entity.name)
        if table is None:
            table = FieldTable(entity.name, entity.fields, entity.udfs)
            self._tables[entity.name] = table
        return table

    # -- output ----------------------------------------------------------------------------

    def output_options(
        self,
        *,
        columns: Sequence[str] | None = None,
        labels: Mapping[str, Mapping[str, str]] | None = None,
        noun: str = "records",
    ) -> OutputOptions:
        """Output options for this run's format and terminal."""
        return OutputOptions(
            format=self.format,
            columns=columns,
            labels=labels,
            width=self.env.columns,
            color=self.env.color(self.env.stdout_isatty),
            noun=noun,
        )

    def writer(
        self,
        *,
        columns: Sequence[str] | None = None,
        labels: Mapping[str, Mapping[str, str]] | None = None,
        noun: str = "records",
    ) -> RecordWriter:
        """A record writer on stdout; finish it with :meth:`finish`."""
        options = self.output_options(columns=columns, labels=labels, noun=noun)
        return record_writer(self.env.stdout, options)

    def finish(self, writer: RecordWriter) -> None:
        """Close ``writer`` and show its notes (columns left out of a table) on stderr."""
        writer.close()
        if not self.quiet:
            for note in getattr(writer, "notes", ()):
                self.env.say(f"note: {note}")

    def document(self, document: Mapping[str, Any], summary: str) -> None:
        """Write one document in this run's format (``summary`` for ``--output summary``)."""
        write_document(self.env.stdout, self.output_options(), document, summary)

    def note(self, message: str) -> None:
        """A note on stderr, unless ``--quiet``."""
        if not self.quiet:
            self.env.say(message)

    # -- safety and progress ---------------------------------------------------------------

    def confirm(self, question: str) -> None:
        """Go ahead only when confirmed: ``--confirm``/``--yes``, or "y" typed on a terminal.

        With no terminal on stdin and no ``--confirm`` this refuses at once (exit 2) and never
        waits for input, so a cron job cannot hang on a prompt.

        Raises:
            ConfirmationRefused: not confirmed.
        """
        if getattr(self.args, "confirm", False):
            return
        if not (self.env.stdin_isatty and self.env.stderr_isatty):
            raise ConfirmationRefused(f"{question}: refused without --confirm (no terminal to ask)")
        self.env.stderr.write(f"{question}? [y/N] ")
        self.env.stderr.flush()
        answer = self.env.stdin.readline()
        if answer.strip().lower() not in ("y", "yes"):
            raise ConfirmationRefused(f"{question}: not confirmed")

    def progress(self, label: str) -> ProgressBar:
        """A progress bar on stderr: drawn on a terminal unless ``--quiet``; its
        :meth:`~autotask.cli.output.progress.ProgressBar.summary` is printed whatever the
        terminal."""
        return ProgressBar(
            self.env.stderr,
            enabled=self.env.stderr_isatty and not self.quiet,
            label=label,
            width=self.env.stderr_columns or self.env.columns or 80,
            color=self.env.color(self.env.stderr_isatty),
        )

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Release the client's connections."""
        if self._client is not None:
            self._client.close()
            self._client = None
