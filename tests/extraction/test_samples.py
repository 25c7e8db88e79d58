"""Each sample document: what the extracted text must hold, and what it must leave out."""

import json

import pytest

from library.extraction import extract

# What each sample's body, tables, headers, footers and notes say (must be in the text), and what
# only its comments, tracked deletions, hidden slides or file properties say (must not be).
EXPECTED = {
    "kingsmere-early-help-self-assessment.md": {
        "in": [
            "Early Help self-assessment",
            "Prepared for the peer challenge",
            "943 476 5919",
            "KM3 7QT",
            "What would a stronger quality assurance framework",
        ],
        "out": [],
    },
    "kingsmere-early-help-self-assessment.docx": {
        "in": [
            "# Kingsmere Borough Council: Early Help self-assessment",
            "## 1. Context",
            "- Family hub practitioners",
            "1. Is our step-down process",
            "943 476 5919",
            "Dr Marcus Bell",
        ],
        "out": [],
    },
    "kingsmere-early-help-self-assessment.pdf": {
        "in": [
            "# Kingsmere Borough Council: Early Help self-assessment",
            "## 1. Context",
            "- Family hub practitioners",
            "943 476 5919",
            "Claire Hughes",
        ],
        "out": [],
    },
    "kingsmere-early-help-action-plan.docx": {
        "in": [
            "# Action plan following the Early Help peer challenge",
            "| Action | Owner | By when | Status |",
            "| Co-produce a step-down protocol with families | Head of Early Help | June 2025 "
            "| Not started |",
            "Kingsmere Borough Council: prepared by Sarah Okafor",  # header
            "Draft v3, reviewed by Marcus Bell, 01632 960 415",  # footer
            "Each hub manager owns one action.",
        ],  # tracked insertion
        "out": [
            "Check this with Priya Shah",
            "Priya Shah",  # comment
            "Jo Pemberton",
            "Escalate the case",
        ],  # tracked deletion
    },
    "kingsmere-early-help-feedback.pptx": {
        "in": [
            "## Slide 1: Peer challenge feedback: Early Help, Kingsmere",
            "Lead reviewer: Helen Carter",
            "- Family hubs are valued by families and schools",
            "Speaker notes:",
            "thank Sarah Okafor",
            "Mr Daniel Price",
            "the Hughes family, KM3 7QT",
        ],
        "out": ["Not for sharing", "Rebecca Stone"],  # the hidden slide
    },
    "ashcombe-send-scoping-letter.txt": {
        "in": [
            "Dear David,",
            "Helen Carter",
            "ravi.mistry@ashcombe.gov.uk",
            "How well prepared are young people",
        ],
        "out": [],
    },
}


def _manifest(samples):
    return json.loads((samples / "manifest.json").read_text())["files"]


def test_every_manifest_file_has_expectations(samples):
    assert set(_manifest(samples)) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_extraction(samples, name):
    result = extract((samples / name).read_bytes(), name)
    for phrase in EXPECTED[name]["in"]:
        assert phrase in result.text, f"{phrase!r} missing from {name}"
    for phrase in EXPECTED[name]["out"]:
        assert phrase not in result.text, f"{phrase!r} should not be in {name}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_text_holds_every_manifest_string_except_dropped_parts(samples, name):
    """Redaction must be able to see every sensitive string a reader could otherwise meet."""
    text = extract((samples / name).read_bytes(), name).text
    dropped = set(EXPECTED[name]["out"])
    flat = " ".join(text.split())
    for value in _manifest(samples)[name]:
        if value in dropped:
            continue
        assert value in flat, f"{value!r} from the manifest is not in the text of {name}"


@pytest.mark.parametrize("name", [n for n in sorted(EXPECTED) if n.endswith((".docx", ".pptx", ".pdf"))])
def test_author_property_is_left_out(samples, name):
    """Only file properties name these people; the body never does."""
    text = extract((samples / name).read_bytes(), name).text
    assert "python-docx" not in text and "python-pptx" not in text
    assert "Steve Canny" not in text
    assert "ReportLab" not in text
