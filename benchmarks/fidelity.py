"""How faithfully PDFs are read: PDFs made here with known text (reportlab; scans made by rendering
pages to pictures and putting the pictures back into a PDF), read by the upload's extraction, and
compared with what they hold.

Measures: character accuracy of text recognition (1 - edit distance / length, spaces collapsed),
table cell accuracy (cells found at their row and column), reading order (pairs of consecutive
paragraphs found in order), running headers and footers left in, and time per page.

    python -m benchmarks fidelity            # the figures in the README
"""

from __future__ import annotations

import io
import random
import re
import statistics
import time
from dataclasses import dataclass, field

from library.extraction import Extracted, Limits, extract
from tests import filemakers

# The seeds the layout rules were written against, and seeds never looked at while writing them.
DEVELOPMENT = range(1, 7)
HELD_OUT = range(101, 109)

SUBJECTS = [
    "The front door",
    "Early help",
    "The multi-agency safeguarding hub",
    "Our leadership team",
    "Practice in the assessment teams",
    "The independent reviewing service",
    "Partnership working with schools",
    "The quality assurance framework",
    "Supervision for social workers",
    "The voice of children and families",
    "Our workforce strategy",
    "Support for care leavers",
    "The edge of care service",
    "Performance reporting",
]
PREDICATES = [
    "has improved steadily over the last eighteen months",
    "is understood well by partners, although thresholds are applied unevenly",
    "needs a clearer line of sight from senior leaders to frontline practice",
    "was a strength identified by the peer team during the visit",
    "relies on a small number of experienced managers",
    "is supported by regular audits that now include the views of families",
    "does not yet show consistent impact for older adolescents",
    "benefits from stable staffing and manageable caseloads",
    "should be reviewed with health colleagues before the next inspection",
    "has reduced repeat referrals from twenty two to fourteen per cent",
    "is described by practitioners as supportive and reflective",
    "will be tested again through a themed audit in the spring",
]
HEADINGS = [
    "Context and demand",
    "What we do well",
    "Areas for development",
    "Leadership and governance",
    "Quality of practice",
    "Next steps",
    "Key lines of enquiry",
    "Our evidence",
]
MEASURES = [
    "Referrals",
    "Re-referrals (%)",
    "Assessments in time (%)",
    "Children in need",
    "Child protection plans",
    "Children looked after",
    "Care leavers in touch (%)",
    "Agency social workers",
    "Caseload average",
    "Early help assessments",
]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)}."


def paragraph(rng: random.Random, sentences: int | None = None) -> str:
    return " ".join(sentence(rng) for _ in range(sentences or rng.randint(2, 4)))


@dataclass
class Sample:
    """A PDF and what it holds: paragraphs in reading order, tables, the running lines that must
    not appear, and pages that are scans."""

    name: str
    data: bytes
    pages: int
    paragraphs: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    scanned_text: str = ""


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if stringWidth(trial, font, size) > width and current:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _fill(
    c, rng, sample: Sample, box, font: str, size: float, bottom: float, start_above: float = -1.0
) -> None:
    """Paragraphs drawn down a column from ``box`` (x, top, width) while the next one fits above
    ``bottom`` (and a paragraph starts above ``start_above``), each added to ``sample``."""
    x, y, width = box
    while y > start_above:
        text = paragraph(rng)
        lines = _wrap(text, font, size, width)
        if y - len(lines) * size * 1.3 < bottom:
            break
        c.setFont(font, size)
        for line in lines:
            c.drawString(x, y, line)
            y -= size * 1.3
        sample.paragraphs.append(text)
        y -= size


def report_pdf(seed: int) -> Sample:
    """Several pages with a running header, a footer with the page number, headings and paragraphs."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    council = rng.choice(["Anyshire", "Northby", "Westmere", "Eastford", "Southam"])
    header = f"{council} County Council: children's services self-assessment"
    footer = rng.choice(["OFFICIAL", "Not protectively marked", "Draft for peer challenge"])
    pages = rng.randint(3, 6)
    font, size = rng.choice([("Helvetica", 10), ("Times-Roman", 11), ("Helvetica", 11)])
    sample = Sample(f"report-{seed}", b"", pages, running=[header, footer])
    for number in range(1, pages + 1):
        c.setFont("Helvetica", 8)
        c.drawString(56, height - 36, header)
        c.drawString(56, 30, footer)
        c.drawRightString(
            width - 56, 30, rng.choice([f"Page {number} of {pages}", f"{number}", f"- {number} -"])
        )
        y = height - 80
        c.setFont("Helvetica-Bold", 15)
        heading = rng.choice(HEADINGS)
        c.drawString(56, y, heading)
        sample.paragraphs.append(heading)
        y -= 28
        _fill(c, rng, sample, (56, y, width - 112), font, size, bottom=70, start_above=140)
        c.showPage()
    c.save()
    sample.data = buf.getvalue()
    return sample


def two_column_pdf(seed: int) -> Sample:
    """A page with a full-width title, then two columns of paragraphs, then a full-width closing line."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    gutter = rng.choice([18, 24, 30])
    column = (width - 112 - gutter) / 2
    size = rng.choice([9, 10])
    title = f"{rng.choice(HEADINGS)}: findings of the peer challenge"
    c.setFont("Helvetica-Bold", 16)
    c.drawString(56, height - 70, title)
    sample = Sample(f"two-columns-{seed}", b"", 1, paragraphs=[title])
    c.setFont("Helvetica", size)
    for x in (56, 56 + column + gutter):
        _fill(c, rng, sample, (x, height - 110, column), "Helvetica", size, bottom=160)
    closing = "This summary was agreed with the director of children's services after the visit."
    c.drawString(56, 120, closing)
    sample.paragraphs.append(closing)
    c.showPage()
    c.save()
    sample.data = buf.getvalue()
    return sample


def _table_rows(rng: random.Random) -> list[list[str]]:
    years = rng.choice([["2022", "2023", "2024"], ["2023/24", "2024/25"], ["Q1", "Q2", "Q3", "Q4"]])
    measures = rng.sample(MEASURES, rng.randint(4, 8))
    rows = [["Measure", *years]]
    for measure in measures:
        percent = "%" in measure
        rows.append(
            [
                measure,
                *[f"{rng.uniform(5, 95):.1f}" if percent else f"{rng.randint(12, 4800):,}" for _ in years],
            ]
        )
    return rows


def table_pdf(seed: int, ruled: bool) -> Sample:
    """A paragraph, a table of measures by year (drawn as a grid, or only aligned), a paragraph."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    before, after = paragraph(rng, 2), paragraph(rng, 2)
    rows = _table_rows(rng)
    c.setFont("Helvetica", 10)
    y = height - 80
    for line in _wrap(before, "Helvetica", 10, width - 112):
        c.drawString(56, y, line)
        y -= 13
    y -= 20
    first = rng.choice([150, 170, 190])
    step = rng.choice([70, 80, 90])
    xs = [56, 56 + first] + [56 + first + step * i for i in range(1, len(rows[0]))]
    right = xs[-1]
    row_height = 18
    top = y + 13
    for i, row in enumerate(rows):
        c.setFont("Helvetica-Bold" if i == 0 else "Helvetica", 9)
        c.drawString(xs[0] + 4, y, row[0])
        for j, cell in enumerate(row[1:], start=1):
            c.drawRightString(xs[j + 1] - 6 if j + 1 < len(xs) else right - 6, y, cell)
        y -= row_height
    if ruled:
        for k in range(len(rows) + 1):
            c.line(xs[0], top - k * row_height, right, top - k * row_height)
        for x in xs:
            c.line(x, top, x, top - len(rows) * row_height)
    y -= 20
    c.setFont("Helvetica", 10)
    for line in _wrap(after, "Helvetica", 10, width - 112):
        c.drawString(56, y, line)
        y -= 13
    c.showPage()
    c.save()
    return Sample(
        f"{'ruled' if ruled else 'aligned'}-table-{seed}",
        buf.getvalue(),
        1,
        paragraphs=[before, after],
        tables=[rows],
    )


def word_pdf(seed: int) -> Sample | None:
    """A Word document (python-docx) exported to PDF by LibreOffice, as councils' PDFs are made: a
    running header, a footer with a page-number field, headings, paragraphs, bullets, bordered
    tables whose long cells wrap, and (for odd seeds) a section set in two columns. None without
    LibreOffice (``soffice``)."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rng = random.Random(seed)
    doc = Document()
    council = rng.choice(["Anyshire", "Northby", "Westmere", "Eastford", "Southam"])
    header = f"{council} Council: {rng.choice(['self-assessment', 'peer challenge feedback', 'action plan'])}"
    section = doc.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    label = rng.choice(["OFFICIAL", "Not protectively marked", "Version 2"])
    footer.text = f"{label}    Page "
    page_field = OxmlElement("w:fldSimple")
    page_field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text_node = OxmlElement("w:t")
    text_node.text = "1"
    run.append(text_node)
    page_field.append(run)
    footer._p.append(page_field)
    sample = Sample(f"word-{seed}", b"", 0, running=[header, label])
    for part in range(rng.randint(3, 5)):
        if seed % 2 and part == 1:  # a section in two columns
            new = doc.add_section(WD_SECTION.CONTINUOUS)
            cols = new._sectPr.xpath("./w:cols")
            node = cols[0] if cols else OxmlElement("w:cols")
            node.set(qn("w:num"), "2")
            if not cols:
                new._sectPr.append(node)
        heading = rng.choice(HEADINGS)
        doc.add_heading(heading, level=1)
        sample.paragraphs.append(heading)
        for _ in range(rng.randint(2, 5)):
            if rng.random() < 0.2:
                item = sentence(rng)
                doc.add_paragraph(item, style="List Bullet")
                sample.paragraphs.append(item)
            else:
                text = paragraph(rng)
                doc.add_paragraph(text)
                sample.paragraphs.append(text)
        if seed % 2 and part == 1:
            new = doc.add_section(WD_SECTION.CONTINUOUS)
            for node in new._sectPr.xpath("./w:cols"):
                node.set(qn("w:num"), "1")
        if rng.random() < 0.7 and not (seed % 2 and part == 1):
            rows = _table_rows(rng)
            wrapped = rng.randrange(1, len(rows))
            rows[wrapped][0] += " " + rng.choice(
                [
                    "including children stepped down from social care",
                    "for the period after the new front door",
                ]
            )
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
            sample.tables.append(rows)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"word-{seed}.docx"
        doc.save(source)
        subprocess.run(  # noqa: S603 - LibreOffice on a file made here
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        sample.data = (Path(folder) / f"word-{seed}.pdf").read_bytes()
    sample.pages = _page_count(sample.data)
    return sample


def scanned_pdf(seed: int, dpi: int = 200, noise: bool = True) -> Sample:
    """A page of text rendered to a picture (grey, slightly tilted and speckled if ``noise``) and put
    back into a PDF as an image only, as a scanner makes it."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    text = report_pdf(seed)
    document = pdfium.PdfDocument(text.data)
    page = document[0]
    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    page.close()
    document.close()
    if noise:
        image = image.rotate(rng.uniform(-0.8, 0.8), expand=False, fillcolor=255, resample=Image.BICUBIC)
        image = image.filter(ImageFilter.GaussianBlur(0.4))
        pixels = image.load()
        for _ in range(image.width * image.height // 2000):
            pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.randint(0, 120)
    buf = io.BytesIO()
    image.save(buf, format="PDF", resolution=dpi)
    # the page's own text: its heading and the paragraphs on page 1 (headers and footers aside)
    first_page = _first_page_paragraphs(text)
    return Sample(
        f"scanned-{seed}", buf.getvalue(), 1, paragraphs=first_page, scanned_text=" ".join(first_page)
    )


def _first_page_paragraphs(sample: Sample) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(sample.data)
    page_text = " ".join(document[0].get_textpage().get_text_range().split())
    document.close()
    return [p for p in sample.paragraphs if p in page_text]


# Measures ---------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    text = re.sub(r"^#+ |^- |\|", " ", text, flags=re.MULTILINE)
    return " ".join(text.replace("’", "'").split())


def edit_distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def character_accuracy(found: str, truth: str) -> float:
    truth, found = _norm(truth), _norm(found)
    return max(0.0, 1 - edit_distance(found, truth) / max(len(truth), 1))


def md_tables(text: str) -> list[list[list[str]]]:
    tables, current = [], []
    for line in text.split("\n") + [""]:
        if line.startswith("|"):
            if not re.match(r"^\|(?:-+\|)+$", line):
                current.append([c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")])
        elif current:
            tables.append(current)
            current = []
    return tables


def cell_accuracy(found: str, truth_tables: list[list[list[str]]]) -> tuple[int, int]:
    """Cells of the true tables found at their row and column in the best-matching table found."""
    tables = md_tables(found)
    right = total = 0
    for truth in truth_tables:
        cells = sum(len(row) for row in truth)
        total += cells
        best = 0
        for table in tables:
            hits = sum(
                1
                for i, row in enumerate(truth)
                for j, cell in enumerate(row)
                if i < len(table) and j < len(table[i]) and table[i][j].strip() == cell
            )
            best = max(best, hits)
        right += best
    return right, total


def order_pairs(found: str, paragraphs: list[str]) -> tuple[int, int, int]:
    """(pairs of consecutive paragraphs found in order, pairs, paragraphs not found)."""
    text = _norm(found)
    positions = []
    missing = after = 0
    for p in paragraphs:
        key = _norm(p)
        at = text.find(key, after)  # the next copy of a heading used twice, not the first
        if at < 0:
            at = text.find(key)
        if at < 0:
            missing += 1
        else:
            after = at + len(key)
        positions.append(at)
    pairs = [(a, b) for a, b in zip(positions, positions[1:], strict=False) if a >= 0 and b >= 0]
    return sum(1 for a, b in pairs if a < b), max(len(paragraphs) - 1, 0), missing


def read(sample: Sample, limits: Limits | None = None) -> tuple[Extracted, float]:
    started = time.perf_counter()
    extracted = extract(sample.data, f"{sample.name}.pdf", limits or Limits())
    return extracted, time.perf_counter() - started


def measure(seeds: range = DEVELOPMENT) -> dict:
    out: dict = {}
    text_time, text_pages = 0.0, 0
    order_right = order_total = missing = running_left = 0
    for seed in seeds:
        for sample in (report_pdf(seed), two_column_pdf(seed)):
            extracted, seconds = read(sample)
            text_time += seconds
            text_pages += sample.pages
            right, total, lost = order_pairs(extracted.text, sample.paragraphs)
            order_right, order_total, missing = order_right + right, order_total + total, missing + lost
            running_left += sum(extracted.text.count(r) for r in sample.running)
    out["reading order"] = f"{order_right}/{order_total} pairs in order, {missing} paragraphs lost"
    out["running lines left"] = running_left
    out["text pages: seconds per page"] = round(text_time / max(text_pages, 1), 3)
    for ruled in (True, False):
        right = total = 0
        for seed in seeds:
            extracted, _ = read(table_pdf(seed, ruled))
            r, t = cell_accuracy(extracted.text, table_pdf(seed, ruled).tables)
            right, total = right + r, total + t
        out[f"{'ruled' if ruled else 'aligned'} table cells"] = (
            f"{right}/{total} ({right / max(total, 1):.3f})"
        )
    words = [s for s in (word_pdf(seed) for seed in seeds) if s is not None]
    if words:
        right = total = order_right = order_total = missing = running_left = 0
        for sample in words:
            extracted, _ = read(sample)
            r, t = cell_accuracy(extracted.text, sample.tables)
            right, total = right + r, total + t
            o, n, lost = order_pairs(extracted.text, sample.paragraphs)
            order_right, order_total, missing = order_right + o, order_total + n, missing + lost
            running_left += sum(extracted.text.count(r) for r in sample.running)
        out["Word exported by LibreOffice"] = (
            f"{len(words)} files, {sum(s.pages for s in words)} pages: table cells {right}/{total}, "
            f"reading order {order_right}/{order_total} pairs, {missing} paragraphs lost, "
            f"{running_left} running lines left"
        )
    accuracies, seconds_each = [], []
    for seed in seeds:
        sample = scanned_pdf(seed)
        extracted, seconds = read(sample)
        seconds_each.append(seconds)
        accuracies.append(character_accuracy(extracted.text, sample.scanned_text))
    out["OCR character accuracy (mean, min)"] = (
        round(statistics.mean(accuracies), 4),
        round(min(accuracies), 4),
    )
    out["scanned pages: seconds per page"] = round(statistics.mean(seconds_each), 2)
    return out


def upload_times() -> dict:
    """Seconds per page of the upload's whole reading (worker process, limits from the configuration:
    extraction, OCR where needed, detection) for a 20-page text PDF with tables and for 5 scanned
    pages."""
    from config import load_config
    from library.documents import processing

    limits = Limits.from_config(load_config("test"))
    processing.analyse(b"# Warm up the worker\n", "warm.md", limits)
    out = {}
    text_pages = filemakers.joined_pdf(
        [report_pdf(seed).data for seed in range(201, 206)] + [table_pdf(201, True).data]
    )
    scans = filemakers.joined_pdf([scanned_pdf(seed).data for seed in range(201, 206)])
    for name, data in (("text PDF", text_pages), ("scanned PDF", scans)):
        pages = _page_count(data)
        started = time.perf_counter()
        processing.analyse(data, f"{name}.pdf", limits)
        out[f"upload of a {pages}-page {name}: seconds per page"] = round(
            (time.perf_counter() - started) / pages, 3
        )
    return out


def _page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def main() -> None:
    for part, seeds in (("development", DEVELOPMENT), ("held out", HELD_OUT)):
        for name, value in measure(seeds).items():
            print(f"{part:<12} {name}: {value}")
    for name, value in upload_times().items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
