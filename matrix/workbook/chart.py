"""The 部门统计 chart of a plan workbook: stacked bars of tasks per role for the busiest
departments, the busiest on top (:class:`LoadChart`).

Its part (``xl/charts/chart1.xml``) depends only on the sheet's name and the number of
departments: :meth:`LoadChart.xml` writes it as a string (``xlsx``, no openpyxl), exactly as
openpyxl serialises the chart :meth:`LoadChart.openpyxl` builds (``book``'s path, the reference
tests/test_xlsx.py compares it with).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .cells import BODY, HEADING, escape

CHART_DEPARTMENTS = 25  # bars: the busiest departments
ROLE_COLOURS = ("C0504D", "4F81BD", "9BBB59", "8064A2")  # 牵头 负责 参与 指导

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


class LoadChart(NamedTuple):
    """The chart over the sheet called ``sheet`` of ``departments`` rows below its header."""

    sheet: str
    departments: int

    @property
    def shown(self) -> int:
        return min(self.departments, CHART_DEPARTMENTS)

    @property
    def caption(self) -> str:
        return "各部门承担任务数" + (f"（前 {self.shown} 个部门）"
                                     if self.shown < self.departments else "")

    def size(self) -> tuple[float, float]:
        """Width and height in cm: one A4 landscape page holds the chart beside the table's
        first rows."""
        return 15, min(16.0, 0.5 * self.shown + 3.5)

    def xml(self) -> str:
        """The chart part, as openpyxl writes :meth:`openpyxl`'s chart."""
        quoted = "'" + self.sheet.replace("'", "''") + "'"
        last = self.shown + 1
        series = "".join(
            f'<ser><idx val="{i}"/><order val="{i}"/><tx><strRef><f>{escape(quoted)}!{col}1</f>'
            f'</strRef></tx><spPr><a:solidFill xmlns:a="{_A}"><a:srgbClr val="{colour}"/>'
            f'</a:solidFill><a:ln xmlns:a="{_A}"><a:solidFill><a:srgbClr val="{colour}"/>'
            f'</a:solidFill><a:prstDash val="solid"/></a:ln></spPr><cat><numRef>'
            f'<f>{_cells(quoted, "A", last)}</f></numRef></cat><val><numRef>'
            f'<f>{_cells(quoted, col, last)}</f></numRef></val></ser>'
            for i, (col, colour) in enumerate(zip("BCDE", ROLE_COLOURS)))
        title = _run_props("defRPr", 1200, True, HEADING)
        return (
            f'<chartSpace xmlns="{_C}"><chart><title><tx><rich><a:bodyPr xmlns:a="{_A}"/>'
            f'<a:p xmlns:a="{_A}"><a:pPr>{title}</a:pPr><a:r>'
            f'{_run_props("rPr", 1200, True, HEADING)}<a:t>{escape(self.caption)}</a:t></a:r>'
            f'</a:p></rich></tx><overlay val="0"/></title><plotArea><barChart>'
            f'<barDir val="bar"/><grouping val="stacked"/>{series}<gapWidth val="40"/>'
            f'<overlap val="100"/><axId val="10"/><axId val="100"/></barChart><catAx>'
            f'<axId val="10"/><scaling><orientation val="maxMin"/></scaling><delete val="0"/>'
            f'<axPos val="l"/><majorTickMark val="none"/><minorTickMark val="none"/>'
            f'{_text_props(800)}<crossAx val="100"/><lblOffset val="100"/>'
            f'<tickLblSkip val="1"/></catAx><valAx><axId val="100"/><scaling>'
            f'<orientation val="minMax"/></scaling><delete val="0"/><axPos val="l"/>'
            f'<majorTickMark val="none"/><minorTickMark val="none"/>{_text_props(800)}'
            f'<crossAx val="10"/><crosses val="max"/></valAx></plotArea><legend>'
            f'<legendPos val="b"/>{_text_props(900)}</legend><plotVisOnly val="1"/>'
            f'<dispBlanksAs val="gap"/></chart></chartSpace>')

    def openpyxl(self) -> Any:
        """The chart as an openpyxl ``BarChart`` (imports openpyxl)."""
        from openpyxl.chart import BarChart, Reference
        from openpyxl.chart.reference import DummyWorksheet
        from openpyxl.chart.text import RichText, Text
        from openpyxl.chart.title import Title
        from openpyxl.drawing.text import (CharacterProperties, Font as TextFont, Paragraph,
                                           ParagraphProperties, RegularTextRun)

        def text(size: int, bold: bool = False) -> CharacterProperties:  # size in 1/100 pt
            face = TextFont(typeface=HEADING if bold else BODY)
            return CharacterProperties(sz=size, b=bold, latin=face, ea=face)

        def rich(size: int) -> RichText:
            return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=text(size)),
                                         endParaRPr=text(size))])

        ws = DummyWorksheet(self.sheet)  # what a Reference reads of a sheet: its title
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap, chart.gapWidth = "bar", "stacked", 100, 40
        chart.title = Title(overlay=False, tx=Text(rich=RichText(p=[Paragraph(
            pPr=ParagraphProperties(defRPr=text(1200, True)),
            r=[RegularTextRun(rPr=text(1200, True), t=self.caption)])])))
        chart.add_data(Reference(ws, min_col=2, max_col=5, min_row=1, max_row=self.shown + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=self.shown + 1))
        for series, colour in zip(chart.series, ROLE_COLOURS):
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
        chart.x_axis.scaling.orientation = "maxMin"  # categories run down from the first row
        chart.x_axis.tickLblSkip = 1  # every department named, not every other one
        chart.x_axis.txPr, chart.y_axis.txPr = rich(800), rich(800)
        chart.x_axis.delete = chart.y_axis.delete = False  # else newer Excel hides the axes
        chart.y_axis.crosses = "max"  # the value axis at the bottom, under the last bar
        chart.y_axis.majorGridlines = None
        chart.legend.position = "b"
        chart.legend.txPr = rich(900)
        chart.width, chart.height = self.size()
        return chart


def _cells(sheet: str, column: str, last: int) -> str:
    """Rows 2 to ``last`` of ``column``: a range, or one cell."""
    rows = f"${column}$2" if last == 2 else f"${column}$2:${column}${last}"
    return escape(f"{sheet}!{rows}")


def _run_props(tag: str, size: int, bold: bool, face: str) -> str:
    return (f'<a:{tag} sz="{size}" b="{int(bold)}"><a:latin typeface="{face}"/>'
            f'<a:ea typeface="{face}"/></a:{tag}>')


def _text_props(size: int) -> str:
    """An axis's or the legend's text: the body font at ``size`` (1/100 pt)."""
    return (f'<txPr><a:bodyPr xmlns:a="{_A}"/><a:p xmlns:a="{_A}"><a:pPr>'
            f'{_run_props("defRPr", size, False, BODY)}</a:pPr><a:r><a:t></a:t></a:r>'
            f'{_run_props("endParaRPr", size, False, BODY)}</a:p></txPr>')
