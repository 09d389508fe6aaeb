"""Attachments: ``client.attachments`` and the values it returns (CONTRACTS §9).

- :mod:`.api`: :class:`Attachments`, the methods (upload, batch_upload, download, list,
  get_info, delete);
- :mod:`.data`: :class:`AttachmentData`;
- :mod:`.parents`: which records take attachments, by name (registry data);
- :mod:`.owners`: the parent of an attachment known only by its id (AttachmentInfo);
- :mod:`.source`, :mod:`.upload`: the upload's bytes and its streamed JSON + base64 body;
- :mod:`.receive`, :mod:`.download`: the streamed answer and its decoder;
- :mod:`.files`: safe file names and all-or-nothing local writes;
- :mod:`.batch`: ``batch_upload`` on the batch engine.

The encoder, decoder and file-name rules are pure and unit-tested without sockets
(tests/unit/test_attachment_*.py); the rest against the emulator (tests/client/).
"""

from __future__ import annotations

from autotask.attachments.api import Attachments
from autotask.attachments.data import AttachmentData

__all__ = ["AttachmentData", "Attachments"]
