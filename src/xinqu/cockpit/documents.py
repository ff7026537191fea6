"""The briefing's two documents, drawn from its content (xinqu.cockpit.briefing): a Word .docx
with East-Asian fonts set on every run, and a PDF with the Chinese font embedded; the charts are
drawn once as PNG images (matplotlib, no display needed) and go into both.

The PDF and the charts need a Chinese font on the server: XINQU_CJK_FONT, or Noto Sans CJK /
WenQuanYi where Debian and other systems install them. Without one, :func:`cjk_font` says so and
nothing is written.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

# Where systems put a Chinese font, with the face of a collection that holds Simplified Chinese.
FONT_PLACES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Debian, Ubuntu: fonts-noto-cjk
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Arch
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Fedora
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
# The fonts Word uses for Chinese text (Windows and WPS have them; others substitute).
WORD_BODY_FONT = "宋体"
WORD_HEADING_FONT = "黑体"
COLOURS = ["#206bc4", "#f59f00", "#2fb344", "#d63939", "#ae3ec9", "#17a2b8"]


def cjk_font() -> tuple[Path, int]:
    """The Chinese font file and the face within it; ImproperlyConfigured with the remedy when
    the server has none."""
    if settings.CJK_FONT:
        path = Path(settings.CJK_FONT)
        if not path.is_file():
            raise ImproperlyConfigured(
                _("XINQU_CJK_FONT 指向的字体文件不存在：%(p)s。") % {"p": settings.CJK_FONT}
            )
        return path, 2 if path.name.startswith("NotoSansCJK") and path.suffix == ".ttc" else 0
    for place, face in FONT_PLACES:
        if Path(place).is_file():
            return Path(place), face
    raise ImproperlyConfigured(
        _(
            "服务器缺少中文字体，无法生成经济运行分析的 PDF 和图表："
            "请安装 fonts-noto-cjk（apt install fonts-noto-cjk），或用 XINQU_CJK_FONT 指定字体文件。"
        )
    )


def _bold(path: Path) -> Path:
    """The bold face beside a regular one (NotoSansCJK-Bold.ttc), else the regular itself."""
    bold = path.with_name(path.name.replace("Regular", "Bold"))
    return bold if bold != path and bold.is_file() else path


@cache
def _matplotlib_family(path: str) -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


def chart_png(chart: dict[str, Any]) -> bytes:
    """One chart (categories, series of bars or a line, unit) as a PNG for both documents."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    path, _face = cjk_font()
    family = _matplotlib_family(str(path))
    figure = Figure(figsize=(7.2, 3.4), dpi=150)
    axes = figure.subplots()
    categories = chart["categories"]
    bars = [s for s in chart["series"] if s.get("type", "bar") != "line"]
    positions = list(range(len(categories)))
    width = 0.8 / max(len(bars), 1)
    for index, series in enumerate(chart["series"]):
        values = [float("nan") if v is None else float(v) for v in series["data"]]
        colour = COLOURS[index % len(COLOURS)]
        if series.get("type", "bar") == "line":
            axes.plot(positions, values, marker="o", color=colour, label=series["name"])
            continue
        place = bars.index(series)
        offset = (place - (len(bars) - 1) / 2) * width
        drawn = axes.bar(
            [p + offset for p in positions], values, width=width, color=colour, label=series["name"]
        )
        if len(categories) <= 16:
            axes.bar_label(drawn, fmt="%.1f", fontsize=7, family=family)
    axes.set_xticks(positions)
    axes.set_xticklabels(
        categories,
        rotation=30 if len(categories) > 5 else 0,
        ha="right" if len(categories) > 5 else "center",
        fontsize=8,
        family=family,
    )
    axes.set_title(chart["title"], family=family, fontsize=11)
    if chart.get("unit"):
        axes.set_ylabel(chart["unit"], family=family, fontsize=9)
    axes.legend(prop={"family": family, "size": 8}, frameon=False)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def charts(content: dict[str, Any]) -> list[list[bytes]]:
    """Each section's charts as PNGs, drawn once for both documents."""
    return [[chart_png(chart) for chart in section["charts"]] for section in content["sections"]]


# --- Word ------------------------------------------------------------------------------------------


def _east_asian(run: Any, font: str) -> None:
    """Set the run's Chinese font (w:eastAsia), which Word uses for CJK characters."""
    from docx.oxml.ns import qn

    run.font.name = font
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _paragraph(document: Any, text: str, *, style: str | None = None, bold: bool = False) -> Any:
    paragraph = document.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.bold = bold
    _east_asian(run, WORD_HEADING_FONT if bold else WORD_BODY_FONT)
    return paragraph


def _heading(document: Any, text: str, level: int) -> None:
    heading = document.add_heading(level=level)
    _east_asian(heading.add_run(text), WORD_HEADING_FONT)


def to_docx(content: dict[str, Any], images: list[list[bytes]]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = WORD_BODY_FONT
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), WORD_BODY_FONT)
    title = document.add_heading(level=0)
    _east_asian(title.add_run(content["title"]), WORD_HEADING_FONT)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, content["as_of"]).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if content["missing"]:
        _paragraph(document, _missing(content), bold=True)
    _paragraph(document, content["foreword"])
    for section, pictures in zip(content["sections"], images, strict=True):
        _heading(document, section["heading"], 1)
        if section["note"]:
            _paragraph(document, section["note"])
        for text in section["paragraphs"]:
            _paragraph(document, text)
        table = section["table"]
        if table:
            grid = document.add_table(rows=1, cols=len(table["columns"]))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table["columns"], strict=True):
                cell.text = ""
                run = cell.paragraphs[0].add_run(text)
                run.bold = True
                _east_asian(run, WORD_HEADING_FONT)
            for row in table["rows"]:
                for cell, text in zip(grid.add_row().cells, row, strict=True):
                    cell.text = ""
                    _east_asian(cell.paragraphs[0].add_run(text), WORD_BODY_FONT)
        if section["lines"]:
            _paragraph(document, section["lines_title"], bold=True)
            for line in section["lines"]:
                _paragraph(document, line, style="List Bullet")
            if section["more"]:
                _paragraph(document, _("另有 %(n)s 项。") % {"n": section["more"]})
        for picture in pictures:
            document.add_picture(io.BytesIO(picture), width=Cm(15.5))
    _closing_docx(document, content)
    _paragraph(document, _("生成时间：%(at)s") % {"at": content["written_at"]})
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _closing_docx(document: Any, content: dict[str, Any]) -> None:
    for heading, items, none in _closing(content):
        _heading(document, heading, 1)
        if not items:
            _paragraph(document, none)
        for item in items:
            _paragraph(document, item, style="List Number" if heading == content["issues_heading"] else None)


def _closing(content: dict[str, Any]) -> list[tuple[str, list[str], str]]:
    return [
        (content["lagging_heading"], content["lagging"], content["lagging_none"]),
        (content["advice_heading"], content["advice"], ""),
        (content["issues_heading"], content["issues"], content["issues_none"]),
    ]


def _missing(content: dict[str, Any]) -> str:
    return _("本期缺少以下数据，本文未作分析：%(names)s。") % {"names": _("、").join(content["missing"])}


# --- PDF -------------------------------------------------------------------------------------------


def to_pdf(content: dict[str, Any], images: list[list[bytes]]) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import WrapMode, XPos, YPos

    path, face = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("cjk", fname=str(path), collection_font_number=face)
    pdf.add_font("cjk", style="B", fname=str(_bold(path)), collection_font_number=face)
    pdf.set_title(content["title"])
    pdf.set_creator("Xinqu")
    pdf.add_page()
    width = pdf.epw
    # Chinese breaks between any two characters; English between words.
    wrap = WrapMode.WORD if content["language"] == "en" else WrapMode.CHAR

    def text(body: str, size: float = 11, *, bold: bool = False, align: str = "J", gap: float = 2) -> None:
        pdf.set_font("cjk", "B" if bold else "", size)
        pdf.multi_cell(
            width, size * 0.62, body, align=align, wrapmode=wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(gap)

    text(content["title"], 18, bold=True, align="C", gap=1)
    text(content["as_of"], 10, align="C", gap=6)
    if content["missing"]:
        text(_missing(content), bold=True)
    text(content["foreword"])
    for section, pictures in zip(content["sections"], images, strict=True):
        text(section["heading"], 14, bold=True, align="L")
        if section["note"]:
            text(section["note"], 9)
        for paragraph in section["paragraphs"]:
            text(paragraph)
        table = section["table"]
        if table:
            pdf.set_font("cjk", "", 9)
            with pdf.table(col_widths=(34, 22, 30, 14), text_align="LEFT", line_height=5.2) as grid:
                header = grid.row()
                for column in table["columns"]:
                    header.cell(column)
                for row in table["rows"]:
                    cells = grid.row()
                    for value in row:
                        cells.cell(value)
            pdf.ln(3)
        if section["lines"]:
            text(section["lines_title"], bold=True, align="L", gap=1)
            for line in section["lines"]:
                text(f"· {line}", 10, gap=1)
            if section["more"]:
                text(_("另有 %(n)s 项。") % {"n": section["more"]}, 10)
        for picture in pictures:
            pdf.image(io.BytesIO(picture), w=width)
            pdf.ln(2)
    for heading, items, none in _closing(content):
        text(heading, 14, bold=True, align="L")
        if not items:
            text(none)
        for number, item in enumerate(items, 1):
            text(f"{number}. {item}" if heading == content["issues_heading"] else item)
    text(_("生成时间：%(at)s") % {"at": content["written_at"]}, 9, align="R")
    return bytes(pdf.output())
