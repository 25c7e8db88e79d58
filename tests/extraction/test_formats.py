"""What each format's extractor puts in, and what it leaves out on purpose."""

import pytest

from library.extraction import extract
from tests import filemakers as fm

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx_text(body, **kwargs) -> str:
    return extract(fm.docx(body, **kwargs), "test.docx").text


def test_docx_headings_lists_and_paragraph_order():
    text = _docx_text(
        fm.para("Report", "Title")
        + fm.para("Findings", "Heading1")
        + fm.para("First point", "ListBullet")
        + fm.para("Second point", "ListBullet")
        + fm.para("Closing words.")
    )
    assert text.index("# Report") < text.index("## Findings") < text.index("- First point")
    assert "- First point\n- Second point" in text
    assert text.rstrip().endswith("Closing words.")


def test_docx_tracked_changes_give_the_accepted_view():
    body = (
        "<w:p><w:r><w:t>Kept. </w:t></w:r>"
        '<w:del w:id="1" w:author="A"><w:r><w:delText>Deleted words.</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="A"><w:r><w:t>Inserted words.</w:t></w:r></w:ins>'
        '<w:moveFrom w:id="3" w:author="A"><w:r><w:t>Moved away.</w:t></w:r></w:moveFrom>'
        '<w:moveTo w:id="4" w:author="A"><w:r><w:t> Moved here.</w:t></w:r></w:moveTo></w:p>'
    )
    text = _docx_text(body)
    assert "Kept. Inserted words. Moved here." in text
    assert "Deleted words" not in text and "Moved away" not in text


def test_docx_headers_footers_and_footnotes_are_in_comments_out():
    text = _docx_text(
        '<w:p><w:r><w:t>Body</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'
        '<w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>',
        header="Header by Jane Doe",
        footer="Footer 01632 960 000",
        footnotes="Footnote about Tom Smith",
        comments="Comment naming Secret Person",
        author="Author Person",
    )
    assert "Header by Jane Doe" in text
    assert "Footer 01632 960 000" in text
    assert "Footnote about Tom Smith" in text
    assert "Secret Person" not in text
    assert "Author Person" not in text


def test_docx_text_boxes_alt_text_and_content_controls():
    body = (
        '<w:p><w:r><w:t>Before box.</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
        '<w:drawing><wp:anchor><wp:docPr id="1" name="Box" descr="Photo of the hub entrance"/>'
        "<wps:txbx><w:txbxContent><w:p><w:r><w:t>Text box words</w:t></w:r></w:p></w:txbxContent></wps:txbx>"
        "</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>"
        "<w:t>Text box words</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent>"
        "</w:r></w:p>"
        "<w:sdt><w:sdtContent>" + fm.para("Inside a content control") + "</w:sdtContent></w:sdt>"
    )
    text = _docx_text(body)
    assert "Before box." in text
    assert text.count("Text box words") == 1  # the fallback copy is not repeated
    assert "[Image: Photo of the hub entrance]" in text
    assert "Inside a content control" in text


def test_docx_table_cells_with_pipes_and_spans():
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    span = '<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Wide</w:t></w:r></w:p></w:tc>'
    body = (
        "<w:tbl><w:tr>" + cell.format("A") + cell.format("B") + cell.format("C") + "</w:tr>"
        "<w:tr>" + span + cell.format("x|y") + "</w:tr></w:tbl>"
    )
    text = _docx_text(body)
    assert "| A | B | C |" in text
    assert "| Wide |   | x\\|y |" in text


def test_pptx_slides_notes_alt_text_and_hidden_slides():
    data = fm.pptx(
        [
            {
                "title": "Opening",
                "bullets": ["One", "Two"],
                "notes": "Thank Pat Jones",
                "alt": "Chart of referrals",
            },
            {"title": "Hidden one", "bullets": ["Secret Sam"], "hidden": True},
            {"title": "Closing", "bullets": ["Three"]},
        ]
    )
    text = extract(data, "deck.pptx").text
    assert "## Slide 1: Opening" in text
    assert "- One\n- Two" in text
    assert "**Speaker notes:** Thank Pat Jones" in text
    assert "[Image: Chart of referrals]" in text
    assert "## Slide 3: Closing" in text
    assert "Hidden one" not in text and "Secret Sam" not in text


def test_pdf_headings_and_pages():
    data = fm.pdf(
        [["# Big heading", "Body line one.", "Body line two."], ["Second page text."]], author="Hidden Author"
    )
    text = extract(data, "doc.pdf").text
    assert text.startswith("# Big heading")
    assert "Body line one." in text and "Second page text." in text
    assert "Hidden Author" not in text


def test_pdf_with_empty_user_password_is_read():
    text = extract(fm.pdf([["Readable once opened."] * 3], encrypt_with=""), "doc.pdf").text
    assert "Readable once opened." in text


def test_text_files_keep_their_words_and_normalise_newlines():
    text = extract(b"Line one\r\nLine two\r\n\r\n\r\n\r\nEnd ", "notes.txt").text
    assert text == "Line one\nLine two\n\nEnd\n"


def test_text_in_windows_encoding_is_accepted():
    assert "café" in extract("Le café".encode("cp1252"), "notes.md").text


@pytest.mark.parametrize("name", ["a.md", "a.markdown", "A.TXT"])
def test_text_extensions(name):
    assert extract(b"# Title\n", name).kind in ("md", "txt")
