"""Attachments: ``client.attachments`` and the values it returns (CONTRACTS §9).

- :mod:`.api`: :class:`Attachments`, the methods (upload, download, list, get_info, delete);
- :mod:`.data`: :class:`AttachmentData`;
- :mod:`.parents`: which records take attachments, by name (registry data);
- :mod:`.source`, :mod:`.upload`: the upload's bytes and its streamed JSON + base64 body;
- :mod:`.download`: the streaming decoder of an attachment answer;
- :mod:`.files`: safe file names and all-or-nothing local writes.

The encoder, decoder and file-name rules are pure and unit-tested without sockets
(tests/unit/test_attachment_*.py); the rest against the emulator (tests/client/).
"""

from __future__ import annotations

from autotask.attachments.api import Attachments
from autotask.attachments.data import AttachmentData

__all__ = ["AttachmentData", "Attachments"]
