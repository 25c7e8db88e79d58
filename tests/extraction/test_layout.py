"""PDF layout (tables, running headers and footers, columns) and the pictures every format leaves out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import fidelity
from library.extraction import ExtractionError, Picture, extract
from tests import filemakers as fm


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "aligned"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pdf_tables_become_markdown_tables(seed, ruled):
    sample = fidelity.table_pdf(seed, ruled)
    text = extract(sample.data, "table.pdf").text
    right, total = fidelity.cell_accuracy(text, sample.tables)
    assert right == total
    # the paragraphs around the table stay paragraphs, before and after it
    assert fidelity.order_pairs(text, sample.paragraphs) == (1, 1, 0)
    assert text.index(fidelity._norm(sample.paragraphs[0])[:30]) < text.index("| Measure |")


def test_a_box_round_a_paragraph_is_not_a_table():
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(70, 700, "Key finding: practice is improving and leaders know where it is not yet good.")
    c.rect(60, 690, 450, 25)
    c.drawString(70, 650, "A second paragraph outside the box.")
    c.showPage()
    c.save()
    text = extract(buf.getvalue(), "box.pdf").text
    assert "|" not in text
    assert "Key finding: practice is improving" in text


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_running_headers_footers_and_page_numbers_are_removed(seed):
    sample = fidelity.report_pdf(seed)
    text = extract(sample.data, "report.pdf").text
    for running in sample.running:
        assert running not in text
    assert "Page 1 of" not in text
    right, pairs, missing = fidelity.order_pairs(text, sample.paragraphs)
    assert missing == 0 and right == pairs


def test_a_repeated_heading_at_the_top_of_pages_is_kept():
    data = fm.pdf(
        [["# Next steps", "First page words about the plan."], ["# Next steps", "Second page words."]]
    )
    text = extract(data, "steps.pdf").text
    assert text.count("Next steps") == 2


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_two_columns_are_read_left_then_right(seed):
    sample = fidelity.two_column_pdf(seed)
    text = extract(sample.data, "columns.pdf").text
    right, pairs, missing = fidelity.order_pairs(text, sample.paragraphs)
    assert missing == 0 and right == pairs
    assert text.startswith("# ")


def test_pdf_pictures_are_reported_and_a_caption_describes_one():
    with_caption = extract(fm.pdf_with_picture("Figure 1: the family hub reception"), "a.pdf")
    assert with_caption.report.pictures == [Picture("page 1", True)]
    assert "Figure 1: the family hub reception" in with_caption.text
    without = extract(fm.pdf_with_picture(None), "b.pdf")
    assert without.report.pictures == [Picture("page 1", False)]
    assert "The team met practitioners" in without.text


def test_docx_pictures_reported_and_a_file_name_is_no_description():
    body = (
        fm.para("Our data", "Heading1")
        + fm.docx_picture(descr="Bar chart of referrals rising in 2024")
        + fm.docx_picture(descr="image.png")
        + fm.docx_picture(title="IMG_0042.JPG")
        + fm.docx_picture()
    )
    extracted = extract(fm.docx(body), "pictures.docx")
    assert "[Image: Bar chart of referrals rising in 2024]" in extracted.text
    assert "image.png" not in extracted.text and "IMG_0042" not in extracted.text
    assert extracted.report.pictures == [
        Picture("under “Our data”", True),
        Picture("under “Our data”", False),
        Picture("under “Our data”", False),
        Picture("under “Our data”", False),
    ]


def test_docx_chart_keeps_title_and_data_as_a_table():
    part = fm.chart_part(
        "Referrals by year", ["2023", "2024"], {"Referrals": [412, 388], "Re-referrals": [61, 47]}
    )
    body = fm.para("Performance", "Heading1") + fm.docx_chart("rId1") + fm.para("After the chart.")
    extracted = extract(fm.docx(body, extra_parts=[part]), "chart.docx")
    text = extracted.text
    assert "Chart: Referrals by year" in text
    assert "|   | Referrals | Re-referrals |" in text
    assert "| 2023 | 412 | 61 |" in text and "| 2024 | 388 | 47 |" in text
    assert text.index("Chart: Referrals by year") < text.index("After the chart.")
    assert extracted.report.pictures == [Picture("under “Performance”", True)]


def test_pptx_chart_data_and_pictures_by_slide():
    extracted = extract(
        fm.pptx_with_chart_and_pictures(["Peers with the director", "Picture 3.png", ""]), "d.pptx"
    )
    text = extracted.text
    assert "Chart: Referrals by year" in text
    assert "| 2023 | 412 | 61 |" in text
    assert "[Image: Peers with the director]" in text
    assert "Picture 3.png" not in text
    assert extracted.report.pictures == [
        Picture("slide 1", True),
        Picture("slide 2", True),
        Picture("slide 2", False),
        Picture("slide 2", False),
    ]


def test_an_image_only_docx_gets_a_plain_message():
    with pytest.raises(ExtractionError) as caught:
        extract(fm.docx(fm.docx_picture() + fm.docx_picture(descr="photo.jpeg")), "scan.docx")
    assert caught.value.code == "only_pictures"
    assert "2 pictures and no text" in caught.value.message


def test_a_text_layer_with_little_text_and_no_picture_is_refused_as_before():
    with pytest.raises(ExtractionError) as caught:
        extract(fm.scanned_pdf(), "scan.pdf")  # a small picture, no words: not a scan to read
    assert caught.value.code == "no_text_layer"


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["word-export-3", "word-export-5", "word-export-107"])
def test_word_documents_exported_by_libreoffice(name):
    """PDFs as councils make them (python-docx, exported by LibreOffice; made by
    benchmarks.fidelity.word_pdf): running header and page-numbered footer, a section in two
    columns, bordered tables with wrapped cells, one broken across a page."""
    truth = json.loads((FIXTURES / f"{name}.json").read_text())
    text = extract((FIXTURES / f"{name}.pdf").read_bytes(), f"{name}.pdf").text
    right, pairs, missing = fidelity.order_pairs(text, truth["paragraphs"])
    assert missing == 0 and right == pairs
    cells, total = fidelity.cell_accuracy(text, truth["tables"])
    assert cells == total
    assert len(fidelity.md_tables(text)) == len(truth["tables"])  # a table across pages stays one
    for running in truth["running"]:
        assert running not in text


def test_a_table_continued_on_the_next_page_is_one_table():
    from library.extraction.pdf_layout import continue_table

    rows = [["Measure", "2023"], ["Referrals", "412"], ["Children in need for the", "388"]]
    more = [["Measure", "2023"], ["period after the new front door", ""], ["Caseload", "17"]]
    assert continue_table(rows, more) == [
        ["Measure", "2023"],
        ["Referrals", "412"],
        ["Children in need for the period after the new front door", "388"],
        ["Caseload", "17"],
    ]
    # a continued table whose first row is whole is added to, not joined
    assert continue_table(rows, [["Caseload", "17"]])[-1] == ["Caseload", "17"]


def test_a_page_drawn_with_thousands_of_lines_is_a_drawing_not_a_table():
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(60, 800, "A map of the family hubs across the county, drawn as lines.")
    for n in range(4000):  # a grid of short strokes over the text
        x, y = 60 + (n % 80) * 6, 400 + (n // 80) * 6
        c.line(x, y, x + 5, y) if n % 2 else c.line(x, y, x, y + 5)
    c.drawString(70, 500, "Hub one")
    c.drawString(300, 500, "Hub two")
    c.showPage()
    c.save()
    text = extract(buf.getvalue(), "map.pdf").text
    assert "A map of the family hubs" in text and "Hub one" in text and "|" not in text
