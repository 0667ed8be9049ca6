"""The registry YAML's entries kept between builds (registry.models.ExportFragment): a build
after one change writes that entry, and takes every other from the last build's text, which
costs a read of the text instead of writing it again (the YAML writer, in Python, was half
of a build at 100,000 approvals; issue 10).

A kept text is used only while its seal matches: an HMAC (SHA-256, keyed from SECRET_KEY)
of the approval's values as the build reads them (their SHA-256, which the database works
out in the build's own read: `registry.selectors.approved_entries`) and of the text. So a
change of the approval, by any path (the workflow, a bulk update, an import, SQL), or of
the kept text by anyone without the key, makes the build write the entry anew; and a new
SECRET_KEY, or a new way of digesting the values, makes it write every entry once."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from ..models import ExportFragment

STORE_CHUNK = 2000


class Sealer:
    """Seals texts with the key of the SECRET_KEY in force when made (one per build)."""

    def __init__(self):
        self._key = hashlib.sha256(b"mcp-governance: registry export fragments\x00"
                                   + settings.SECRET_KEY.encode()).digest()

    def seal(self, source: str, text: str) -> bytes:
        return hmac.digest(self._key, f"{source}\x00{text}".encode(), "sha256")

    def kept(self, source: str, text: str | None, sealed) -> str | None:
        """The kept text, if it is the one written from these values."""
        if text is None or sealed is None:
            return None
        return text if hmac.compare_digest(self.seal(source, text), bytes(sealed)) else None

    def store(self, written: list[tuple[int, bytes, str]]) -> None:
        """Keep the texts written by a build: (approval id, seal, text) each."""
        for at in range(0, len(written), STORE_CHUNK):
            ExportFragment.objects.bulk_create(
                [ExportFragment(approval_id=pk, seal=sealed, text=text)
                 for pk, sealed, text in written[at:at + STORE_CHUNK]],
                update_conflicts=True, unique_fields=["approval"],
                update_fields=["seal", "text"])
