"""Scanned pages read by text recognition (Tesseract), within the limits, and every way it can fail
named to the contributor."""

from __future__ import annotations

import pytest

from benchmarks import fidelity
from library.extraction import ExtractionError, Limits, UnreadPage, extract, ocr, pdf_layout
from library.extraction import pdf as pdf_module
from tests import filemakers as fm

needs_tesseract = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed")

LINES = [
    "The peer team met thirty practitioners across the front door.",
    "Leaders know their service well and act on what audits tell them.",
    "Caseloads in the assessment teams are manageable for most workers.",
]


@needs_tesseract
def test_a_scanned_page_is_read_and_reported():
    sample = fidelity.scanned_pdf(3)
    extracted = extract(sample.data, "scan.pdf")
    assert extracted.report.ocr_pages == [1]
    assert extracted.report.unread_pages == []
    assert fidelity.character_accuracy(extracted.text, sample.scanned_text) >= 0.9


@needs_tesseract
def test_scanned_pages_beyond_the_limit_are_named():
    data = fm.scan_of(fm.pdf([LINES]), pages=4)
    extracted = extract(data, "scan.pdf", Limits(ocr_max_pages=2))
    assert extracted.report.ocr_pages == [1, 2]
    assert extracted.report.unread_pages == [
        UnreadPage(3, "scanned_too_many"),
        UnreadPage(4, "scanned_too_many"),
    ]
    assert "front door" in extracted.text


@needs_tesseract
def test_a_mixed_file_keeps_its_text_pages_and_reads_its_scans():
    text_part = fm.pdf([["# Our self-assessment", "Typed words on the first page of the file."]])
    scan_part = fm.scan_of(fm.pdf([LINES]))
    joined = fm.joined_pdf([text_part, scan_part])
    extracted = extract(joined, "mixed.pdf")
    assert extracted.report.ocr_pages == [2]
    assert extracted.text.index("Typed words on the first page") < extracted.text.index("Leaders know")


@needs_tesseract
def test_broken_fonts_are_read_from_the_page_as_it_shows():
    data = fm.broken_font_pdf(LINES)
    extracted = extract(data, "broken.pdf")
    assert extracted.report.ocr_pages == [1]
    assert "Leaders know their service well" in extracted.text
    assert "\ue04c" not in extracted.text  # none of the text layer's nonsense


def test_without_tesseract_a_scan_gets_the_plain_message(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ExtractionError) as caught:
        extract(fm.scan_of(fm.pdf([LINES])), "scan.pdf")
    assert caught.value.code == "no_text_layer"
    assert "scan" in caught.value.message


def test_with_ocr_switched_off_scanned_pages_of_a_mixed_file_are_named():
    text_part = fm.pdf([["Typed words on the first page of the file, enough to read."]])
    joined = fm.joined_pdf([text_part, fm.scan_of(fm.pdf([LINES]))])
    extracted = extract(joined, "mixed.pdf", Limits(ocr=False))
    assert extracted.report.unread_pages == [UnreadPage(2, "ocr_unavailable")]
    assert "Typed words" in extracted.text


def test_a_page_that_is_one_huge_picture_is_named_not_decoded():
    data = fm.huge_image_pdf(20_000)  # 400 million pixels
    assert len(data) < 2_000_000
    if not ocr.available():
        pytest.skip("Tesseract is not installed")
    with pytest.raises(ExtractionError) as caught:
        extract(data, "huge.pdf")
    assert caught.value.code == "image_too_large"
    assert "pictures too large to read" in caught.value.message


def test_a_huge_picture_beside_text_pages_leaves_a_partial_result(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: True)
    huge = fm.huge_image_pdf(20_000)
    text_part = fm.pdf([["Typed words on the first page of the file, enough to read."]])
    joined = fm.joined_pdf([text_part, huge])
    extracted = extract(joined, "mixed.pdf")
    assert extracted.report.unread_pages == [UnreadPage(2, "image_too_large")]


@needs_tesseract
def test_ocr_out_of_time_names_the_pages_left(monkeypatch):
    data = fm.scan_of(fm.pdf([LINES]), pages=3)
    with pytest.raises(ExtractionError) as caught:
        extract(data, "slow.pdf", Limits(ocr_timeout_seconds=1.0))
    assert caught.value.code == "too_complex"
    assert "took longer" in caught.value.message


def test_ocr_lines_become_paragraphs():
    raw = (
        "First line of a para-\ngraph that wraps\nonto three lines.\n\n"
        "• A bullet point\nthat wraps\n\n\fLast one."
    )
    assert ocr.paragraphs(raw) == (
        "First line of a paragraph that wraps onto three lines.\n\n- A bullet point that wraps\n\nLast one."
    )


def test_text_layer_usability():
    seg = pdf_layout.Seg
    good = [seg(0, 0, 100, 10, "The peer team met practitioners across the front door.", 10)]
    symbols = [
        seg(0, 0, 100, 10, "\ue04c\ue069\ue06e\ue065 \ue020\ue030\ue03a\ue020\ue054\ue068\ue065 " * 3, 10)
    ]
    consonants = [seg(0, 0, 100, 10, "Thk prr tm mt prctnrs crss th frnt dr nd thr svc wll " * 2, 10)]
    assert pdf_module._usable(good)
    assert not pdf_module._usable(symbols)
    assert not pdf_module._usable(consonants)
    assert not pdf_module._usable([seg(0, 0, 10, 10, "12", 10)])
