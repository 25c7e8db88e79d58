"""What happened, said once and heard by whoever cares, so that a feature need not know who
listens: the documents' pages say a shared document was read or downloaded, the usage counts
hear it."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A shared document was read or downloaded: sent with ``user``, ``document`` and ``kind``
# ("view" or "download").
document_used = _signals.signal("document-used")
