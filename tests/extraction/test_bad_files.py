"""Files we refuse, each with a plain-language reason."""

import pytest

from library.extraction import ExtractionError, Limits, extract
from tests import filemakers as fm


def _refused(data: bytes, name: str, limits: Limits | None = None) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract(data, name, limits)
    return info.value


def test_png_named_pdf():
    error = _refused(fm.png_bytes(), "report.pdf")
    assert error.status == 415 and error.code == "type_mismatch"
    assert "named .pdf but its content is a PNG image" in error.message


def test_pdf_named_docx():
    error = _refused(fm.pdf([["Some text here for the page."]]), "report.docx")
    assert error.code == "type_mismatch" and "a PDF" in error.message


def test_docx_named_txt():
    error = _refused(fm.docx(fm.para("Hello")), "notes.txt")
    assert error.code == "type_mismatch"


def test_empty_file():
    error = _refused(b"", "empty.docx")
    assert error.code == "empty_file" and error.message == "The selected file is empty."


def test_file_over_the_limit():
    error = _refused(b"x" * 2048, "big.txt", Limits(max_bytes=1024))
    assert error.status == 413 and "smaller than" in error.message


def test_unknown_extension():
    error = _refused(b"hello", "sheet.xlsx")
    assert error.status == 415 and ".docx" in error.message


def test_encrypted_pdf():
    error = _refused(fm.pdf([["Secret text."]], encrypt_with="pa55word"), "locked.pdf")
    assert error.code == "encrypted_file" and "password" in error.message


def test_password_protected_office_file():
    error = _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "locked.docx")
    assert error.code == "encrypted_file"


def test_truncated_docx():
    data = fm.docx(fm.para("Some words " * 200))
    error = _refused(data[: len(data) // 2], "cut.docx")
    assert error.code == "damaged_file" and "damaged" in error.message


def test_truncated_pptx():
    data = fm.pptx([{"title": "A", "bullets": ["b"]}])
    error = _refused(data[: len(data) - 300], "cut.pptx")
    assert error.code == "damaged_file"


def test_zip_bomb():
    data = fm.zip_bomb_docx(12 * 1024 * 1024)
    assert len(data) < 100_000
    error = _refused(data, "bomb.docx", Limits(zip_max_uncompressed=8 * 1024 * 1024))
    assert error.code == "unsafe_file" and "expands" in error.message


def test_zip_bomb_by_ratio_under_the_total_limit():
    data = fm.zip_bomb_docx(12 * 1024 * 1024)
    error = _refused(data, "bomb.docx", Limits(zip_max_ratio=100))
    assert error.code == "unsafe_file"


def test_scanned_pdf_without_text_layer():
    error = _refused(fm.scanned_pdf(), "scan.pdf")
    assert error.code == "no_text_layer" and "scan" in error.message


def test_binary_named_txt():
    error = _refused(b"\x00\x01\x02binary", "notes.txt")
    assert error.code == "type_mismatch"


def test_file_with_no_words():
    error = _refused(b"   \n\n  ", "blank.md")
    assert error.code == "no_text"


def test_xml_entities_are_not_expanded():
    body = fm.para("Safe")
    data = fm.docx(body)
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.replace(
                    b"<w:document", b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document', 1
                ).replace(b"Safe", b"Safe &x;")
            dst.writestr(item, content)
    try:
        text = extract(buf.getvalue(), "entity.docx").text
    except ExtractionError:
        return
    assert "root:" not in text
