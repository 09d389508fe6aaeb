"""``client.attachments``: upload, download, list, describe and delete attachments.

On the API (fact sheet §7, §11.3) an attachment is JSON with the file in a base64 ``data``
field; it is created and deleted only through its parent's child URL
(``Tickets/{id}/Attachments``), read back with its data through that URL, and described by
AttachmentInfo. Here:

- uploads stream the body from the file (:mod:`.upload`) with its exact ``Content-Length``,
  after checking the size against ``RequestConfig.attachment_max_bytes`` before a byte is
  read; a retry (after a 429) rebuilds the body from the file;
- downloads decode the answer as it arrives (:mod:`.download`) into a temporary file beside
  the target, renamed into place only once complete (:mod:`.files`);
- every request goes through ``Transport.send`` like any other (thread gate, budget, retries).
"""

from __future__ import annotations

import builtins
import io
import mimetypes
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

from autotask._log import get_logger
from autotask.attachments.batch import upload_all
from autotask.attachments.data import AttachmentData, field_value
from autotask.attachments.files import PartFile, safe_file_name
from autotask.attachments.owners import INFO, Owners, parent_id_of
from autotask.attachments.parents import SEGMENT, Parent, find_parent
from autotask.attachments.receive import receive
from autotask.attachments.source import Source, SourceError
from autotask.attachments.upload import UploadBody
from autotask.batch import ItemResult
from autotask.batch.ops import BatchOptions
from autotask.config import RequestConfig
from autotask.core.entities import Entity
from autotask.errors import InvalidRequest, ServerError
from autotask.retry import Operation
from autotask.wire._answers import parse_item_id
from autotask.wire._request import Request, StreamBody
from autotask.wire.transport import Transport

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Attachments", "content_type"]

_NAME_MAX = 255  # characters of fullPath and title (fact sheet §7, OBS XATT)
_log = get_logger(__name__)

PathLike = str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class _Options:
    """How one file is attached (the upload methods' arguments)."""

    file_name: str
    title: str | None
    publish: int
    attachment_type: str
    impersonate: int | None


def content_type(file_name: str) -> str:
    """The MIME type an upload of ``file_name`` is sent with (guessed from its extension)."""
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


class Attachments:
    """The attachments of any parent that takes them (``client.attachments``).

    Parents are named as the registry knows them, singular or plural, any case (``"Ticket"``,
    ``"tickets"``, ``"Project"``, ``"ConfigurationItems"``, ``"TicketNote"``, ...). Safe to
    share between threads.

    Example::

        a = client.attachments.upload_file("Ticket", 12345, "/path/to/file.pdf",
                                           title="Documentation")
        data = client.attachments.download_file(a.id)                  # bytes
        path = client.attachments.download_file(a.id, "/downloads/")   # /downloads/file.pdf
        for info in client.attachments.list("Ticket", 12345):
            print(info.id, info.file_name, info.size)
        client.attachments.delete(a.id)

    Args:
        transport: the client's transport.
        config: the client's settings (``attachment_max_bytes``).
        entity: the client's ``entity(name)`` (child queries, deletes, AttachmentInfo).
    """

    def __init__(
        self, transport: Transport, config: RequestConfig, entity: Callable[[str], Entity]
    ) -> None:
        self._transport = transport
        self._config = config
        self._entity = entity
        self._owners = Owners(entity)

    @property
    def max_bytes(self) -> int:
        """The largest file uploaded (``RequestConfig.attachment_max_bytes``)."""
        return self._config.attachment_max_bytes

    # -- upload ----------------------------------------------------------------------------

    def upload_file(
        self,
        parent_type: str,
        parent_id: int,
        file_path: PathLike,
        title: str | None = None,
        *,
        publish: int = 1,
        attachment_type: str = "FILE_ATTACHMENT",
        impersonate: int | None = None,
    ) -> AttachmentData:
        """Attach the file at ``file_path`` to record ``parent_id`` of ``parent_type``.

        The size is checked before a byte is read; the body is streamed from the file.

        Args:
            parent_type: ``"Ticket"``, ``"Projects"``, ... (singular or plural, any case).
            parent_id: the parent record's id.
            file_path: the file; its name (not its directory) is sent as ``fullPath``.
            title: the attachment's title (default: the file name).
            publish: who sees it: 1 all Autotask users, 2 internal users only, 4 internal
                and co-managed (fact sheet §7).
            attachment_type: the API's ``attachmentType``.
            impersonate: a resource id to attribute the upload to.

        Returns:
            The new attachment (``record`` holds the fields sent: the API answers only the id).

        Raises:
            InvalidRequest: refused before sending: unknown parent type, a file that cannot
                be read, a file over ``attachment_max_bytes`` (the message names the file,
                its size and the limit), a name or title over 255 characters; or refused
                by the API.
            OutcomeUnknown: the upload may have been stored but no usable answer came back.
        """
        parent = find_parent(parent_type)
        source = self._file(parent, file_path)
        options = _Options(Path(file_path).name, title, publish, attachment_type, impersonate)
        return self._upload(parent, parent_id, source, options)

    def upload_data(
        self,
        parent_type: str,
        parent_id: int,
        data: bytes | bytearray | memoryview | IO[bytes],
        file_name: str,
        title: str | None = None,
        *,
        publish: int = 1,
        attachment_type: str = "FILE_ATTACHMENT",
        impersonate: int | None = None,
    ) -> AttachmentData:
        """Attach ``data`` as a file called ``file_name``.

        Args:
            parent_type: as for :meth:`upload_file`.
            parent_id: the parent record's id.
            data: the bytes, or a binary file object that can seek (read from its current
                position to its end; its size must be known first and a retry reads it
                again).
            file_name: the attachment's file name (``fullPath``; its MIME type is guessed
                from it).
            title: the title (default: ``file_name``).
            publish: as for :meth:`upload_file`.
            attachment_type: as for :meth:`upload_file`.
            impersonate: as for :meth:`upload_file`.

        Returns:
            The new attachment.

        Raises:
            InvalidRequest, OutcomeUnknown: as for :meth:`upload_file`.
        """
        parent = find_parent(parent_type)
        try:
            source = Source.from_data(data, file_name)
        except SourceError as exc:
            raise self._refused(str(exc), parent) from None
        options = _Options(file_name, title, publish, attachment_type, impersonate)
        return self._upload(parent, parent_id, source, options)

    upload_from_data = upload_data

    def batch_upload(
        self,
        parent_type: str,
        parent_id: int,
        file_paths: Iterable[PathLike],
        batch_size: int = 5,
        *,
        title: str | None = None,
        publish: int = 1,
        attachment_type: str = "FILE_ATTACHMENT",
        impersonate: int | None = None,
        **options: Unpack[BatchOptions],
    ) -> builtins.list[ItemResult]:
        """Attach every file of ``file_paths`` to one record, concurrently, through the batch
        engine (:mod:`autotask.batch`).

        Each file is an :meth:`upload_file` (titled ``title``, else its file name). Uploads
        run inside the client's thread gate and byte window like any others. A failure of one
        file (cannot be read, over the size limit, refused by the API) is its result, never an
        exception.

        Args:
            parent_type: as for :meth:`upload_file`.
            parent_id: the parent record's id.
            file_paths: the files (any iterable; at most ``batch_size`` held at a time).
            batch_size: files held at a time.
            title: every attachment's title (default: each file's name).
            publish: as for :meth:`upload_file`.
            attachment_type: as for :meth:`upload_file`.
            impersonate: as for :meth:`upload_file`.
            options: ``concurrency``, ``progress``, ``journal``, ``dry_run`` (check each file
                without sending: ``valid`` / ``invalid``), ``fail_fast``, ``settle``
                (:class:`~autotask.batch.ops.BatchOptions`; ``dedupe_field`` does not apply).

        Returns:
            One :class:`~autotask.batch.ItemResult` per file, in input order: ``uploaded``
            with ``item_id`` = the attachment id; ``failed`` with the error (``attempts`` 0
            for a file refused before sending); ``unknown`` when an upload's answer was lost
            (it is not sent again).

        Raises:
            InvalidRequest: an unknown parent type.
            ConfigError: a bad option or journal (see :func:`autotask.batch.run`).
        """
        parent = find_parent(parent_type)

        def options_for(path: PathLike) -> _Options:
            return _Options(Path(path).name, title, publish, attachment_type, impersonate)

        def upload(path: PathLike) -> int:
            source = self._file(parent, path)
            return self._upload(parent, parent_id, source, options_for(path)).id

        def check(path: PathLike) -> None:
            self._prepare(parent, self._file(parent, path), options_for(path))

        return upload_all(
            parent.path(parent_id),
            file_paths,
            upload=upload,
            check=check,
            tries=self._transport.tries_here,
            concurrency=self._config.concurrency,
            batch_size=batch_size,
            options=options,
        )

    def _prepare(self, parent: Parent, source: Source, options: _Options) -> dict[str, Any]:
        """The checks made before anything is read or sent; returns the fields to send.

        Raises:
            InvalidRequest: the file is over the size limit, or its name or title is empty or
                over 255 characters.
        """
        limit = self.max_bytes
        if source.size > limit:
            raise self._refused(
                f"{source.name} is {source.size:,} bytes, over the attachment limit of "
                f"{limit:,} bytes (RequestConfig.attachment_max_bytes)",
                parent,
            )
        file_name = options.file_name
        title = file_name if options.title is None else options.title
        for what, text in (("file name", file_name), ("title", title)):
            if not text.strip() or len(text) > _NAME_MAX:
                raise self._refused(
                    f"{source.name}: the {what} must be 1 to {_NAME_MAX} characters, "
                    f"not {len(text)}",
                    parent,
                )
        return {
            "id": 0,
            "attachmentType": options.attachment_type,
            "fullPath": file_name,
            "title": title,
            "publish": options.publish,
            # Read-only on the live API, which derives it from the extension (fact sheet
            # §11.3); sent as the documented create example does (§7).
            "contentType": content_type(file_name),
        }

    def _upload(
        self, parent: Parent, parent_id: int, source: Source, options: _Options
    ) -> AttachmentData:
        fields = self._prepare(parent, source, options)
        body = UploadBody.around(fields, source.size)

        def open_body() -> Iterator[bytes]:
            # Called once per attempt: a retry reads the file again from its start.
            with source.opener() as read:
                yield from body.chunks(read, source.name)

        request = Request(
            Operation.UPLOAD,
            "POST",
            parent.path(parent_id),
            parent.entity,
            body=StreamBody(open_body, body.length),
            impersonate=options.impersonate,
            # Counted once against the 10,000,000-byte / 5-minute window (fact sheet §7): the
            # transport waits while it would overflow.
            upload_bytes=source.size,
        )
        answer = self._transport.send(request)
        new_id = parse_item_id(answer, Operation.UPLOAD, parent.entity)
        _log.info(
            "uploaded %s (%d bytes) to %s as attachment %d",
            source.name,
            source.size,
            parent.path(parent_id),
            new_id,
        )
        record = {**fields, "id": new_id, "fileSize": source.size}
        return AttachmentData(
            id=new_id,
            parent_type=parent.name,
            parent_id=int(parent_id),
            title=fields["title"],
            file_name=fields["fullPath"],
            content_type=fields["contentType"],
            size=source.size,
            record=record,
        )

    # -- download --------------------------------------------------------------------------

    @overload
    def download_file(
        self,
        attachment_id: int,
        output_path: None = None,
        *,
        parent_type: str | None = None,
        parent_id: int | None = None,
    ) -> bytes: ...

    @overload
    def download_file(
        self,
        attachment_id: int,
        output_path: PathLike,
        *,
        parent_type: str | None = None,
        parent_id: int | None = None,
    ) -> Path: ...

    def download_file(
        self,
        attachment_id: int,
        output_path: PathLike | None = None,
        *,
        parent_type: str | None = None,
        parent_id: int | None = None,
    ) -> bytes | Path:
        """Download an attachment's file: as bytes, or into ``output_path``.

        The answer is decoded as it arrives. With ``output_path`` the bytes go to a temporary
        file beside the target, renamed into place only when the whole file arrived: a failed
        or cut-off download leaves nothing there.

        Args:
            attachment_id: the attachment.
            output_path: None to return the bytes; a file path to write (a file there is
                replaced); or an existing directory, to write the attachment's own file name
                there (cleaned: no directories, ``..``, control characters or leading dots).
            parent_type: with ``parent_id``, the parent (skips the AttachmentInfo lookup
                that otherwise finds it).
            parent_id: the parent record's id.

        Returns:
            The bytes, or the :class:`~pathlib.Path` written.

        Raises:
            InvalidRequest: no such attachment, an unknown parent type, or an output
                directory that does not exist (checked before the download).
            TransportError: the answer was cut off (nothing is left at ``output_path``).
            ServerError: the answer carried no data or was not an attachment.
            OSError: writing the local file failed (nothing is left at ``output_path``).
        """
        target = None if output_path is None else Path(output_path)
        directory = None
        into_directory = target is not None and target.is_dir()
        if target is not None:
            directory = target if into_directory else target.parent
            if not directory.is_dir():
                raise InvalidRequest(
                    f"cannot write {target}: the directory {directory} does not exist",
                    operation=Operation.DOWNLOAD.value,
                )
        parent, owner, info = self._owners.locate(attachment_id, parent_type, parent_id)
        request = Request(
            Operation.DOWNLOAD,
            "GET",
            parent.path(owner, attachment_id),
            parent.entity,
            stream=True,
        )
        if directory is None:
            buffer = io.BytesIO()
            receive(self._transport, request, buffer, attachment_id)
            return buffer.getvalue()
        assert target is not None
        with PartFile(directory, f"attachment-{attachment_id}") as part:
            record = receive(self._transport, request, part, attachment_id)
            if into_directory:
                name = field_value(record, "fullPath") or field_value(info or {}, "fullPath")
                target = target / safe_file_name(name, f"attachment-{attachment_id}")
            return part.commit(target)

    # -- describe, list, delete ------------------------------------------------------------

    def get_info(self, attachment_id: int) -> AttachmentData | None:
        """Describe one attachment from AttachmentInfo (no data), or None when there is none.

        Args:
            attachment_id: the attachment.
        """
        record = self._owners.info(attachment_id)
        if record is None:
            return None
        parent = self._owners.parent_of(record)
        return self._describe(record, parent, parent_id_of(record), Operation.GET, INFO)

    def list(self, parent_type: str, parent_id: int) -> builtins.list[AttachmentData]:
        """The attachments of one record, in id order (their data is not fetched).

        Since 2021.1 Autotask also returns the attachments of the record's children here (a
        ticket's list includes its time entries' attachments, fact sheet §7); each one names
        its own parent when AttachmentInfo's ``parentType`` code is known.

        Args:
            parent_type: as for :meth:`upload_file`.
            parent_id: the parent record's id.
        """
        parent = find_parent(parent_type)
        children = self._entity(parent.name).child(parent_id, SEGMENT)
        found = []
        labels = self._owners.labels()  # once for the whole list, not per record
        for record in children.query():
            own = self._owners.parent_of(record, labels)
            if own is None or own == parent:
                owner: tuple[Parent, int] = (parent, int(parent_id))
            else:
                owner = (own, parent_id_of(record) or int(parent_id))
            found.append(self._describe(record, owner[0], owner[1], Operation.QUERY, parent.entity))
        return found

    def delete(
        self,
        attachment_id: int,
        *,
        parent_type: str | None = None,
        parent_id: int | None = None,
        impersonate: int | None = None,
    ) -> None:
        """Delete an attachment (through its parent's URL, as the API requires).

        Args:
            attachment_id: the attachment.
            parent_type: with ``parent_id``, the parent (skips the AttachmentInfo lookup).
            parent_id: the parent record's id.
            impersonate: a resource id to attribute the delete to.

        Raises:
            InvalidRequest: no such attachment (or refused by the API).
            OutcomeUnknown: the delete may have been applied but no answer came back.
        """
        parent, owner, _ = self._owners.locate(attachment_id, parent_type, parent_id)
        self._entity(parent.name).child(owner, SEGMENT).delete(
            attachment_id, impersonate=impersonate
        )

    # -- helpers ---------------------------------------------------------------------------

    def _describe(
        self,
        record: dict[str, Any],
        parent: Parent | None,
        parent_id: int | None,
        operation: Operation,
        entity: str,
    ) -> AttachmentData:
        try:
            return AttachmentData.from_record(
                record, None if parent is None else parent.name, parent_id
            )
        except ValueError as exc:
            raise ServerError(
                f"unexpected answer: {exc}", operation=operation.value, entity=entity
            ) from None

    def _file(self, parent: Parent, path: PathLike) -> Source:
        try:
            return Source.from_path(path)
        except SourceError as exc:
            raise self._refused(str(exc), parent) from None

    def _refused(self, message: str, parent: Parent) -> InvalidRequest:
        return InvalidRequest(message, operation=Operation.UPLOAD.value, entity=parent.entity)
