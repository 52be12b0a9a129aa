"""PDF output without an office suite: a DOCX walked with python-docx and laid
out with reportlab, and receipt-style pages built directly.

Text is set in STSong-Light, one of the standard CJK fonts every PDF reader
supplies, so files stay small and render anywhere without a font on the server
(docs/adr/0010-document-generation.md). What is kept from the DOCX: the page
size and margins, paragraphs in order with their alignment, indents, spacing,
font sizes, bold and underlined runs, line and page breaks, headings (by their
style's size) and tables with merged cells and borders. Headers, footers,
images, floating shapes and colours are not reproduced.
"""

import io
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

import segno
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Image,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

FONT = "STSong-Light"
DEFAULT_SIZE = 10.5  # 五号, Word's default for Chinese text
LEADING = 1.5

_ALIGN = {
    WD_ALIGN_PARAGRAPH.CENTER: TA_CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT: TA_RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY: TA_JUSTIFY,
    WD_ALIGN_PARAGRAPH.DISTRIBUTE: TA_JUSTIFY,
    WD_ALIGN_PARAGRAPH.LEFT: TA_LEFT,
}


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        # A CID font has no bold face: <b> keeps the same font instead of
        # failing to find one.
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT
        )
    return FONT


def _style(size: float, *, align=TA_LEFT, **extra) -> ParagraphStyle:
    return ParagraphStyle(
        "docgen",
        fontName=_font(),
        fontSize=size,
        leading=size * LEADING,
        alignment=align,
        wordWrap="CJK",
        **extra,
    )


def _page_numbers(canvas, doc):
    canvas.saveState()
    canvas.setFont(_font(), 9)
    canvas.drawCentredString(
        doc.pagesize[0] / 2, doc.bottomMargin / 2, f"— {doc.page} —"
    )
    canvas.restoreState()


def _build(flowables: list, *, pagesize=A4, margins=None, title: str = "") -> bytes:
    left, right, top, bottom = margins or (25 * mm, 25 * mm, 25 * mm, 25 * mm)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        creator="egov",
        invariant=1,
    )
    doc.build(
        flowables or [Spacer(1, 1)],
        onFirstPage=_page_numbers,
        onLaterPages=_page_numbers,
    )
    return out.getvalue()


# --- DOCX → PDF ------------------------------------------------------------------


def _style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


class _Styles:
    """Size, weight and alignment of paragraph styles, looked up once per style:
    python-docx finds a paragraph's style by scanning every style in the file."""

    def __init__(self, default_size: float):
        self.default_size = default_size
        self._cache: dict = {}

    def of(self, paragraph: Paragraph) -> tuple[float, bool, object]:
        key = paragraph._p.style
        if key not in self._cache:
            chain = list(_style_chain(paragraph.style))
            size = next(
                (st.font.size.pt for st in chain if st.font.size is not None),
                self.default_size,
            )
            bold = next(
                (bool(st.font.bold) for st in chain if st.font.bold is not None), False
            )
            align = next(
                (
                    _ALIGN.get(st.paragraph_format.alignment, TA_LEFT)
                    for st in chain
                    if st.paragraph_format.alignment is not None
                ),
                TA_LEFT,
            )
            self._cache[key] = (size, bold, align)
        return self._cache[key]


def _pt(length, default=0.0) -> float:
    return length.pt if length is not None else default


def _has_page_break(paragraph: Paragraph) -> bool:
    return bool(paragraph._p.xpath('.//w:br[@w:type="page"]'))


def _paragraph(paragraph: Paragraph, styles: _Styles):
    """The flowable for one DOCX paragraph (a Spacer when it is empty)."""
    size, style_bold, style_align = styles.of(paragraph)
    runs = [run for run in paragraph.runs if run.text]
    sizes = [run.font.size.pt for run in runs if run.font.size is not None]
    para_size = max(sizes + ([size] if len(sizes) < len(runs) else []), default=size)
    parts = []
    for run in runs:
        text = escape(run.text).replace("\n", "<br/>").replace("\t", "\u3000\u3000")
        if run.bold or (run.bold is None and style_bold):
            text = f"<b>{text}</b>"
        if run.underline:
            text = f"<u>{text}</u>"
        run_size = run.font.size.pt if run.font.size is not None else size
        if abs(run_size - para_size) > 0.1:
            text = f'<font size="{run_size:g}">{text}</font>'
        parts.append(text)
    fmt = paragraph.paragraph_format
    before, after = _pt(fmt.space_before), _pt(fmt.space_after)
    if not parts:
        return Spacer(1, para_size * LEADING + before + after)
    style = _style(
        para_size,
        align=(
            _ALIGN.get(paragraph.alignment, TA_LEFT)
            if paragraph.alignment is not None
            else style_align
        ),
        firstLineIndent=_pt(fmt.first_line_indent),
        leftIndent=_pt(fmt.left_indent),
        rightIndent=_pt(fmt.right_indent),
        spaceBefore=before,
        spaceAfter=after,
    )
    return PdfParagraph("".join(parts), style)


def _grid_widths(table: Table, available: float) -> list[float]:
    grid = table._tbl.tblGrid
    widths = [col.w.pt if col.w is not None else 0 for col in grid.gridCol_lst]
    if not widths or not all(widths):
        count = max(len(widths), max((len(r.cells) for r in table.rows), default=1))
        return [available / count] * count
    total = sum(widths)
    scale = min(1.0, available / total)
    return [w * scale for w in widths]


def _has_borders(table: Table) -> bool:
    if table.style is not None and "Grid" in (table.style.name or ""):
        return True
    return table._tbl.tblPr.find(qn("w:tblBorders")) is not None


def _table(table: Table, styles: _Styles, available: float):
    widths = _grid_widths(table, available)
    columns = len(widths)
    data, seen, spans = [], {}, []
    for r, row in enumerate(table.rows):
        cells = list(row.cells)[:columns]
        line = []
        for c in range(columns):
            cell = cells[c] if c < len(cells) else None
            if cell is None:
                line.append("")
                continue
            key = cell._tc  # the element itself: ids of lxml proxies get reused
            if key in seen:
                r0, c0 = seen[key][0]
                seen[key][1] = (r, c)
                line.append("")
                continue
            seen[key] = [(r, c), (r, c)]
            line.append([_paragraph(p, styles) for p in cell.paragraphs] or "")
        data.append(line)
    for start, end in seen.values():
        if start != end:
            spans.append(("SPAN", (start[1], start[0]), (end[1], end[0])))
    if not data:
        return Spacer(1, 1)
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        *spans,
    ]
    if _has_borders(table):
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    return PdfTable(data, colWidths=widths, style=TableStyle(commands), repeatRows=0)


def _default_size(document) -> float:
    try:
        size = document.styles["Normal"].font.size
    except KeyError:
        size = None
    return size.pt if size is not None else DEFAULT_SIZE


def docx_to_pdf(docx_bytes: bytes) -> bytes:
    """A PDF rendering of a DOCX: body text and tables in order, on the
    document's first section's page size and margins. Deterministic: the same
    DOCX gives the same bytes."""
    document = Document(io.BytesIO(docx_bytes))
    section = document.sections[0] if document.sections else None
    pagesize, margins = A4, None
    if section is not None and section.page_width and section.page_height:
        pagesize = (section.page_width.pt, section.page_height.pt)
        margins = (
            _pt(section.left_margin, 72),
            _pt(section.right_margin, 72),
            _pt(section.top_margin, 72),
            _pt(section.bottom_margin, 72),
        )
    available = pagesize[0] - (margins[0] + margins[1] if margins else 144)
    styles = _Styles(_default_size(document))
    flowables = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.paragraph_format.page_break_before and flowables:
                flowables.append(PageBreak())
            flowables.append(_paragraph(block, styles))
            if _has_page_break(block):
                flowables.append(PageBreak())
        elif isinstance(block, Table):
            flowables.append(_table(block, styles, available))
    title = document.core_properties.title or ""
    return _build(flowables, pagesize=pagesize, margins=margins, title=title)


# --- receipts and certificates ------------------------------------------------------


def _text(value) -> str:
    from egov.docgen.render import format_value

    value = format_value(value)
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    return escape(str(value) if value not in ("", None) else "—").replace("\n", "<br/>")


def qr_png(data: str, *, scale: int = 6) -> bytes:
    """A QR code (error correction M) as PNG bytes."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def simple_pdf(
    title: str,
    rows: Iterable[Sequence],
    qr_url: str | None = None,
    *,
    subtitle: str = "",
    note: str = "",
    qr_caption: str = "",
) -> bytes:
    """One A4 page (more if the rows need it): a centred title, an optional
    subtitle, a two-column table of (label, value) rows, an optional note and,
    when `qr_url` is given, a QR code of it with `qr_caption` and the URL
    printed under it. Values may be text, numbers, dates or datetimes; empty
    values print as —. Meant for receipts (回执) and licence printouts."""
    available = A4[0] - 50 * mm
    flowables = [PdfParagraph(escape(title), _style(20, align=TA_CENTER))]
    if subtitle:
        flowables.append(
            PdfParagraph(escape(subtitle), _style(11, align=TA_CENTER, spaceBefore=4))
        )
    flowables.append(Spacer(1, 8 * mm))
    label_style, value_style = _style(11), _style(11)
    data = [
        [
            PdfParagraph(_text(label), label_style),
            PdfParagraph(_text(value), value_style),
        ]
        for label, value in rows
    ]
    if data:
        flowables.append(
            PdfTable(
                data,
                colWidths=[40 * mm, available - 40 * mm],
                style=TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ]
                ),
            )
        )
    if note:
        flowables += [
            Spacer(1, 5 * mm),
            PdfParagraph(_text(note), _style(10)),
        ]
    if qr_url:
        size = 35 * mm
        flowables += [
            Spacer(1, 8 * mm),
            Image(io.BytesIO(qr_png(qr_url)), width=size, height=size),
        ]
        if qr_caption:
            flowables.append(
                PdfParagraph(escape(qr_caption), _style(10, align=TA_CENTER))
            )
        flowables.append(PdfParagraph(escape(qr_url), _style(8, align=TA_CENTER)))
    return _build(flowables, title=title)
