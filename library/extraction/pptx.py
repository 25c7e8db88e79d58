"""PowerPoint (.pptx) to markdown: one section per visible slide.

In: slide titles, text in shapes and groups (bullets keep their level), tables, image alt
text, speaker notes (marked as notes).
Out on purpose: hidden slides, comments, layout and master placeholder prompts, file properties.
"""

from __future__ import annotations

import io

from library.extraction.base import ExtractionError, Limits, join_blocks, md_table, too_many_pages
from library.extraction.sniff import check_zip

_ALT_ATTRS = ("title", "descr")
_BULLET_PLACEHOLDERS = (2, 7)  # PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT


def _alt_text(shape) -> str:
    cnvpr = shape._element.xpath("./*[1]/p:cNvPr")
    if not cnvpr:
        return ""
    alt = " ".join(cnvpr[0].get(a) for a in _ALT_ATTRS if cnvpr[0].get(a))
    return " ".join(alt.split())


def _text_frame_blocks(frame, as_bullets: bool) -> list[str]:
    blocks = []
    for paragraph in frame.paragraphs:
        text = " ".join(paragraph.text.replace("\v", "\n").split())
        if not text:
            continue
        if as_bullets:
            blocks.append("    " * min(paragraph.level, 4) + "- " + text)
        else:
            blocks.append(text)
    return blocks


def _shape_blocks(shape, title_id) -> list[str]:
    blocks: list[str] = []
    if shape.shape_type is not None and shape.shape_type == 6:  # MSO_SHAPE_TYPE.GROUP
        for child in shape.shapes:
            blocks.extend(_shape_blocks(child, title_id))
        return blocks
    if shape.shape_id == title_id:
        return blocks
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        table = md_table(rows)
        if table:
            blocks.append(table)
    elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        # Body placeholders are bullet lists on the slide; other text boxes are plain paragraphs.
        is_body = shape.is_placeholder and shape.placeholder_format.type in _BULLET_PLACEHOLDERS
        blocks.extend(_text_frame_blocks(shape.text_frame, as_bullets=bool(is_body)))
    if getattr(shape, "has_chart", False) and shape.has_chart and shape.chart.has_title:
        title = shape.chart.chart_title.text_frame.text.strip()
        if title:
            blocks.append(f"Chart: {title}")
    alt = _alt_text(shape)
    if alt:
        blocks.append(f"[Image: {alt}]")
    return blocks


def extract_pptx(data: bytes, limits: Limits | None = None) -> str:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    check_zip(data, limits or Limits(max_bytes=max(len(data), 1)))
    try:
        presentation = Presentation(io.BytesIO(data))
        slides = list(presentation.slides)
    except (PackageNotFoundError, KeyError, ValueError, EOFError, OSError) as exc:
        raise ExtractionError(
            "The presentation seems to be damaged. Open it in PowerPoint, save it again and upload "
            "the new copy.",
            code="damaged_file",
        ) from exc
    except Exception as exc:  # lxml and zlib errors from a truncated package
        raise ExtractionError(
            "The presentation seems to be damaged or incomplete. Save it again and upload the new copy.",
            code="damaged_file",
        ) from exc

    if limits is not None and len(slides) > limits.max_pages:
        raise too_many_pages(len(slides), limits, "slides")
    sections: list[str] = []
    for number, slide in enumerate(slides, start=1):
        if slide._element.get("show") in ("0", "false"):
            continue
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
        heading = f"## Slide {number}: {title}" if title else f"## Slide {number}"
        blocks = [heading]
        title_id = title_shape.shape_id if title_shape is not None else None
        for shape in slide.shapes:
            blocks.extend(_shape_blocks(shape, title_id))
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            notes = _text_frame_blocks(frame, as_bullets=False) if frame is not None else []
            if notes:
                blocks.append("> **Speaker notes:** " + "\n>\n> ".join(notes))
        sections.append(join_blocks(blocks))
    return "\n\n".join(sections) + "\n"
