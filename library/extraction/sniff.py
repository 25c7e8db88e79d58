"""What a file really is, judged from its content; its name only has to agree."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from library.extraction.base import ExtractionError, Limits

ACCEPTED_EXTENSIONS = {
    ".docx": "docx",
    ".pptx": "pptx",
    ".pdf": "pdf",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
}
_NAMES = {
    "docx": "a Word document (.docx)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "pdf": "a PDF",
    "md": "a text file",
    "txt": "a text file",
}
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"MZ", "a program"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "a Rich Text (.rtf) document"),
]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _text_ok(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    try:
        decoded = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    # Mostly printable: text in an older Windows encoding rather than binary.
    control = sum(1 for ch in decoded[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control == 0


def check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Open an Office file's zip, refusing damaged ones and ones that expand too far."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise ExtractionError(
            "The file seems to be damaged or incomplete. Open it on your computer, save it again and "
            "upload the new copy.",
            code="damaged_file",
        ) from exc
    if len(members) > limits.zip_max_members:
        raise ExtractionError(
            "The file holds too many parts to be a normal Office document.", code="unsafe_file"
        )
    total = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members) or 1
    if (
        total > limits.zip_max_uncompressed
        or total / compressed > limits.zip_max_ratio
        and total > 10_000_000
    ):
        raise ExtractionError(
            "The file expands to far more than its size on disk, so we cannot open it safely. "
            "Save it again from Word or PowerPoint and upload the new copy.",
            code="unsafe_file",
        )
    if any(m.flag_bits & 0x1 for m in members):
        raise ExtractionError(
            "The file is protected with a password. Remove the password and upload it again.",
            code="encrypted_file",
        )
    return archive


def content_kind(data: bytes, limits: Limits) -> tuple[str, str]:
    """(kind, description) of the bytes; kind is docx, pptx, pdf, text, zip, ole or other."""
    if b"%PDF-" in data[:1024]:
        return "pdf", "a PDF"
    if data.startswith(b"PK\x03\x04"):
        archive = check_zip(data, limits)
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx", _NAMES["docx"]
        if "ppt/presentation.xml" in names:
            return "pptx", _NAMES["pptx"]
        if "xl/workbook.xml" in names:
            return "zip", "an Excel workbook"
        return "zip", "a zip archive"
    if data.startswith(OLE_MAGIC):
        return "ole", "an older Office file (.doc or .ppt) or a password-protected Office file"
    for magic, description in _MAGIC:
        if data.startswith(magic):
            return "other", description
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "other", "a WebP image"
    if _text_ok(data):
        return "text", "a text file"
    return "other", "a file we cannot read"


def sniff(data: bytes, filename: str, limits: Limits) -> str:
    """The kind of the upload (docx, pptx, pdf, md or txt), or an ExtractionError saying why not."""
    if not data:
        raise ExtractionError("The selected file is empty.", code="empty_file")
    if len(data) > limits.max_bytes:
        raise ExtractionError(
            f"The file must be smaller than {limits.max_bytes // (1024 * 1024)} MB.",
            code="file_too_large",
            status=413,
        )
    extension = PurePath(filename or "").suffix.lower()
    expected = ACCEPTED_EXTENSIONS.get(extension)
    if expected is None:
        raise ExtractionError(
            "The file must be a Word document (.docx), PDF (.pdf), PowerPoint (.pptx), markdown (.md) or "
            "text (.txt) file.",
            code="unsupported_type",
            status=415,
        )
    kind, description = content_kind(data, limits)
    if kind == "text" and expected in ("md", "txt"):
        return expected
    if kind == expected:
        return kind
    if kind == "ole" and expected in ("docx", "pptx"):
        raise ExtractionError(
            "The file is protected with a password or is in an older Office format. Remove any password, "
            "save it as .docx or .pptx and upload it again.",
            code="encrypted_file",
            status=415,
        )
    raise ExtractionError(
        f"The file is named {extension} but its content is {description}. Upload "
        f"{_NAMES[expected]}, or rename the file to match what it holds.",
        code="type_mismatch",
        status=415,
    )
