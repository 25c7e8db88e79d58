"""PowerPoint (.pptx) to markdown: one section per visible slide.

In: slide titles, text in shapes and groups (bullets keep their level), tables, image alt
text, speaker notes (marked as notes).
Out on purpose: hidden slides, comments, layout and master placeholder prompts, file properties.
"""

from __future__ import annotations

import io

from library.extraction.base import (
    ExtractionError,
    Limits,
    Picture,
    Report,
    alt_text,
    chart_blocks,
    join_blocks,
    md_table,
    too_many_pages,
)
from library.extraction.sniff import check_zip

_ALT_ATTRS = ("title", "descr")
_BULLET_PLACEHOLDERS = (2, 7)  # PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT


def _alt_text(shape) -> str:
    cnvpr = shape._element.xpath("./*[1]/p:cNvPr")
    if not cnvpr:
        return ""
    return alt_text(*(cnvpr[0].get(a) for a in _ALT_ATTRS))


def _chart(chart) -> list[str]:
    """A chart's title and its data (categories and each series' values, as the file caches them)."""
    title = chart.chart_title.text_frame.text.strip() if chart.has_title else ""
    series = []
    try:
        for plot in chart.plots:
            categories = {i: str(c) for i, c in enumerate(plot.categories)}
            for item in plot.series:
                values = {i: _number(v) for i, v in enumerate(item.values) if v is not None}
                series.append((item.name or "", categories, values))
    except (KeyError, ValueError, TypeError, AttributeError, IndexError):
        pass  # a chart whose data the file does not hold in a form we read: its title alone
    return chart_blocks(" ".join(title.split()), series)


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


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


def _shape_blocks(shape, title_id, pictures: list[Picture], where: str) -> list[str]:
    blocks: list[str] = []
    if shape.shape_type is not None and shape.shape_type == 6:  # MSO_SHAPE_TYPE.GROUP
        for child in shape.shapes:
            blocks.extend(_shape_blocks(child, title_id, pictures, where))
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
    alt = _alt_text(shape)
    if alt:
        blocks.append(f"[Image: {alt}]")
    if getattr(shape, "has_chart", False) and shape.has_chart:
        kept = _chart(shape.chart)
        blocks.extend(kept)
        pictures.append(Picture(where, bool(kept or alt)))
    elif shape._element.tag.endswith("}pic"):
        pictures.append(Picture(where, bool(alt)))
    return blocks


def extract_pptx(data: bytes, limits: Limits | None = None, report: Report | None = None) -> str:
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
    pictures: list[Picture] = []
    for number, slide in enumerate(slides, start=1):
        if slide._element.get("show") in ("0", "false"):
            continue
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
        heading = f"## Slide {number}: {title}" if title else f"## Slide {number}"
        blocks = [heading]
        title_id = title_shape.shape_id if title_shape is not None else None
        for shape in slide.shapes:
            blocks.extend(_shape_blocks(shape, title_id, pictures, f"slide {number}"))
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            notes = _text_frame_blocks(frame, as_bullets=False) if frame is not None else []
            if notes:
                blocks.append("> **Speaker notes:** " + "\n>\n> ".join(notes))
        sections.append(join_blocks(blocks))
    if report is not None:
        report.pictures += pictures
    return "\n\n".join(sections) + "\n"
