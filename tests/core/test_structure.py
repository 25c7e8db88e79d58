"""Sections, key lines of enquiry and headings grouped across documents (library/structure.py)."""

from library.core import structure
from library.core.rendering import render_markdown
from library.core.vocabularies import load_thesaurus

TEXT = """# Kingsmere: front door scoping letter

Intro paragraph.

## 1. Purpose of the challenge

Why now.

## Key lines of enquiry

1. Are thresholds understood
   and applied consistently?
2. **How quickly** are decisions made?

Some prose that is not a line of enquiry.

How well does the MASH share information?

### A sub-heading

- A bullet inside a sub-section

```
## not a heading
```

Contacts
--------

- Someone, somewhere
"""


def test_sections_are_every_heading_in_order_outside_code():
    found = structure.sections(TEXT)
    assert [(s.n, s.level, s.heading) for s in found] == [
        (1, 1, "Kingsmere: front door scoping letter"),
        (2, 2, "1. Purpose of the challenge"),
        (3, 2, "Key lines of enquiry"),
        (4, 3, "A sub-heading"),
        (5, 2, "Contacts"),
    ]
    kloes = found[2]
    body = structure.section_text(TEXT, kloes)
    assert body.startswith("1. Are thresholds") and "A bullet inside" in body and "Contacts" not in body
    assert [s.heading for s in structure.top_level(found)] == [
        "1. Purpose of the challenge",
        "Key lines of enquiry",
        "Contacts",
    ]


def test_key_lines_of_enquiry_are_the_items_and_questions_of_their_section():
    found = structure.kloes(TEXT)
    assert [(k.section, k.text) for k in found] == [
        (3, "Are thresholds understood and applied consistently?"),
        (3, "How quickly are decisions made?"),
        (3, "How well does the MASH share information?"),
        (3, "A bullet inside a sub-section"),
    ]


def test_a_label_paragraph_introduces_key_lines_of_enquiry_too():
    text = (
        "# Self-assessment\n\nOur proposals.\n\nKey lines of enquiry:\n\n"
        "- Is help early enough?\n- Do plans work?\n\nAfter.\n"
    )
    assert [k.text for k in structure.kloes(text)] == ["Is help early enough?", "Do plans work?"]
    assert structure.kloes("# Notes\n\n- Not a line of enquiry\n") == []


def test_headings_are_grouped_across_case_numbering_wording_and_the_thesaurus():
    thesaurus = load_thesaurus()

    def example(n, *headings):
        text = "".join(f"## {h}\n\nText.\n\n" for h in headings)
        return structure.Example(n, structure.top_level(structure.sections(text)))

    groups = structure.group_headings(
        [
            example(1, "1. Introduction", "Key lines of enquiry", "What we think we do well", "Contacts"),
            example(2, "INTRODUCTION", "KLOEs", "What we think we do well (early help)"),
            example(3, "Introduction and context", "Key Lines of Enquiry we propose", "Next steps"),
        ],
        thesaurus,
    )
    by_heading = {g.heading: g for g in groups}
    assert by_heading["Key lines of enquiry"].count == 3
    assert by_heading["What we think we do well"].count == 2
    assert sorted(by_heading["Introduction"].places) == [1, 2, 3]
    assert groups[0].count == 3 and groups[-1].count == 1
    assert (
        structure.find_group(groups, "key lines of enquiry", thesaurus) is by_heading["Key lines of enquiry"]
    )


def test_rendered_headings_get_the_ids_of_their_sections():
    found = structure.sections(TEXT)
    html = structure.anchor_headings(str(render_markdown(TEXT, shift_headings=1)), found)
    for s in found:
        assert f'id="section-{s.n}"' in html
    assert html.index('id="section-3"') < html.index("Are thresholds")


def test_sections_are_grouped_by_what_they_say_with_the_thesaurus_as_a_hint():
    import numpy as np

    thesaurus = load_thesaurus()

    def unit(*values):
        v = np.array(values + (0.0,) * (8 - len(values)), dtype=np.float32)
        return v / np.linalg.norm(v)

    def example(n, *headings):
        text = "".join(f"## {h}\n\nText.\n\n" for h in headings)
        return structure.Example(n, structure.top_level(structure.sections(text)))

    examples = [
        example(1, "Context and demand", "Our priorities", "KLOEs"),
        example(2, "About our area", "Priorities of the review", "Key lines of enquiry we propose"),
        example(3, "Our starting point", "What we found"),
    ]
    area, priorities, review, kloes = unit(1, 0.1), unit(0, 1), unit(0, 0, 1), unit(0, 0, 0, 1)
    said = {
        (1, "Context and demand"): area,
        (2, "About our area"): unit(1, 0.2),
        (3, "Our starting point"): unit(1, 0, 0.1),
        (1, "Our priorities"): priorities,
        (2, "Priorities of the review"): review,
        (3, "What we found"): unit(0, 0.95, 0.1),
        (1, "KLOEs"): kloes,
        (2, "Key lines of enquiry we propose"): unit(0, 0, 2.2, 1),  # 0.41 alike: too little alone
    }
    meanings = {
        (e.document_id, s.start): said[(e.document_id, s.heading)] for e in examples for s in e.sections
    }
    groups = structure.group_by_meaning(examples, meanings, thesaurus)
    by_member = {(d, s.heading): g for g in groups for d, s in g.members}
    # Other words for the same thing are one group, named by its first most common heading.
    assert (
        by_member[(1, "Context and demand")]
        is by_member[(2, "About our area")]
        is by_member[(3, "Our starting point")]
    )
    # Words in common are not enough: "Our priorities" is not "Priorities of the review".
    assert by_member[(1, "Our priorities")] is not by_member[(2, "Priorities of the review")]
    assert by_member[(1, "Our priorities")] is by_member[(3, "What we found")]
    # The thesaurus's concept is a hint that joins what is nearly alike.
    assert by_member[(1, "KLOEs")] is by_member[(2, "Key lines of enquiry we propose")]
    without = structure.group_by_meaning(examples, meanings, None)
    apart = {(d, s.heading): g for g in without for d, s in g.members}
    assert apart[(1, "KLOEs")] is not apart[(2, "Key lines of enquiry we propose")]
    # Two sections of one document are never one group.
    for g in groups:
        documents = [d for d, _s in g.members]
        assert len(documents) == len(set(documents))
