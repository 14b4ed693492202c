"""The cutover dashboard: one self-contained HTML page the DAG writes after each run.

The charts are Plotly figures with plotly.js inline once in the page (no CDN, no server): the
page opens from disk, from the Airflow worker's log volume, or in a headless browser in CI,
with ticked axes and the values on hover. Each chart sits in a ``<figure data-chart=...>``
whose Plotly div has the same id, so tests can read what is drawn. The BI tool
(``./pipeline bi``) shows the same marts; this page is for when there is none.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from jobspikr_pipeline.cutover.report import SOURCES, SUMMARY_METRICS, CutoverReport
from jobspikr_pipeline.project_vars import completeness_fields

COLOURS = {"jobspikr": "#1f77b4", "legacy": "#ff7f0e", "overlap": "#2ca02c"}
#: The per-run history: records each source delivered as of each dbt run.
HISTORY_METRIC = "records"
_LAYOUT = {"height": 300, "margin": {"l": 60, "r": 20, "t": 24, "b": 50}, "hovermode": "x unified",
           "legend": {"orientation": "h", "y": -0.25}, "template": "plotly_white"}


def dashboard_path() -> Path:
    """Where the DAG writes the page: ``$JOBSPIKR_REPORTS_DIR``, else ``$AIRFLOW_HOME/reports``."""
    base = os.environ.get("JOBSPIKR_REPORTS_DIR") or Path(os.environ.get("AIRFLOW_HOME", ".")) / "reports"
    return Path(base) / "cutover_dashboard.html"


def write_dashboard(report: CutoverReport, path: Path | None = None) -> Path:
    path = path or dashboard_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_dashboard(report), encoding="utf-8")
    return path


def dashboard_figures(report: CutoverReport) -> dict[str, tuple[str, go.Figure]]:
    """Each chart's id, with its title and figure, in page order."""
    return {
        "records": ("Volume: valid records per post date",
                    _daily_lines(report, "records", "records", SOURCES)),
        "coverage_pct": ("Coverage: share of the other source's jobs found (%)",
                         _daily_lines(report, "coverage_pct", "% of the other's jobs", ("jobspikr", "legacy"))),
        "completeness": ("Completeness by field, newest run (%)", _completeness_bars(report)),
        "freshness_hours": ("Freshness: median hours from post date to delivery",
                            _daily_lines(report, "freshness_hours", "hours", ("jobspikr", "legacy"))),
        "history": ("Per run: records delivered, as of each dbt run", _history_lines(report)),
    }


def render_dashboard(report: CutoverReport) -> str:
    when = f"{report.run_at:%Y-%m-%d %H:%M %Z}" if report.run_at else "no run yet"
    charts = "".join(
        f'<figure data-chart="{chart}"><figcaption>{html.escape(title)}</figcaption>'
        + pio.to_html(figure, full_html=False, include_plotlyjs=(i == 0), div_id=chart,
                      config={"displayModeBar": False, "responsive": True})
        + "</figure>"
        for i, (chart, (title, figure)) in enumerate(dashboard_figures(report).items()))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>JobsPikr cutover dashboard</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #222; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 16px; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: 8px; }}
figcaption {{ font-weight: 600; }}
table {{ border-collapse: collapse; margin: 12px 0; }}
td, th {{ border: 1px solid #ddd; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.fail {{ color: #b00020; font-weight: bold; }} .ok {{ color: #1b5e20; }}
</style></head><body>
<h1>JobsPikr cutover: JobsPikr vs the legacy scraper</h1>
<p>Newest dbt run: {html.escape(when)}.</p>
<div class="charts">{charts}</div>
<h2>Threshold checks</h2>{_checks_table(report)}
<h2>Totals (newest run)</h2>{_totals_table(report)}
</body></html>
"""


def _daily_lines(report: CutoverReport, metric: str, unit: str, sources: tuple[str, ...]) -> go.Figure:
    return _lines({s: report.daily.get((s, metric), []) for s in sources}, unit=unit, value="%{y:,.1f}",
                  x_title="post date", tickformat="%b %d")


def _history_lines(report: CutoverReport) -> go.Figure:
    return _lines({s: report.history.get((s, HISTORY_METRIC), []) for s in SOURCES}, unit="records",
                  value="%{y:,.0f}", x_title="dbt run", tickformat="%b %d %H:%M")


def _lines(series: dict[str, list[tuple[Any, float]]], *, unit: str, value: str, x_title: str,
           tickformat: str) -> go.Figure:
    """A line per source that has points (x, value), in the source's colour."""
    figure = _figure(unit, x_title=x_title)
    for source, points in series.items():
        if points:
            figure.add_scatter(x=[x for x, _ in points], y=[v for _, v in points], name=source,
                               mode="lines+markers", line={"color": COLOURS[source]},
                               hovertemplate=f"{value} {unit}<extra>{source}</extra>")
    figure.update_xaxes(tickformat=tickformat)
    return _or_no_data(figure)


def _completeness_bars(report: CutoverReport) -> go.Figure:
    """Grouped bars per field; every value is printed on its bar, so a 0% field shows as
    "0%" rather than as a missing bar."""
    figure = _figure("% of records with the field", x_title="field")
    for source in ("jobspikr", "legacy"):
        values = [report.totals.get((source, f"completeness_{name}_pct")) for name in completeness_fields()]
        if all(v is None for v in values):
            continue
        figure.add_bar(x=list(completeness_fields()), y=values, name=source, marker_color=COLOURS[source],
                       text=[None if v is None else f"{v:.0f}%" for v in values], textposition="outside",
                       cliponaxis=False, hovertemplate=f"%{{x}}: %{{y:.1f}}%<extra>{source}</extra>")
    figure.update_layout(barmode="group", hovermode="closest")
    figure.update_yaxes(range=[0, 110], ticksuffix="%")
    return _or_no_data(figure)


def _figure(y_title: str, x_title: str) -> go.Figure:
    figure = go.Figure(layout=_LAYOUT)
    figure.update_xaxes(title_text=x_title, ticks="outside", showline=True)
    figure.update_yaxes(title_text=y_title, ticks="outside", showline=True, rangemode="tozero")
    return figure


def _or_no_data(figure: go.Figure) -> go.Figure:
    if not figure.data:
        figure.add_annotation(text="no data yet", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return figure


def _checks_table(report: CutoverReport) -> str:
    rows = "".join(
        f'<tr><td>{html.escape(c.name)}</td><td>{"no data" if c.value is None else f"{c.value:g}"}</td>'
        f'<td>{c.rule} {c.threshold:g}</td><td class="{"ok" if c.passed else "fail"}">'
        f'{"ok" if c.passed else "FAIL"}</td></tr>' for c in report.checks)
    return f"<table><tr><th>check</th><th>value</th><th>threshold</th><th></th></tr>{rows}</table>"


def _totals_table(report: CutoverReport) -> str:
    head = "".join(f"<th>{s}</th>" for s in SOURCES)
    rows = "".join(
        f"<tr><td>{metric}</td>" + "".join(
            f"<td>{'-' if (v := report.totals.get((s, metric))) is None else fmt.format(v)}</td>"
            for s in SOURCES) + "</tr>"
        for metric, fmt in SUMMARY_METRICS)
    return f"<table><tr><th>metric</th>{head}</tr>{rows}</table>"
