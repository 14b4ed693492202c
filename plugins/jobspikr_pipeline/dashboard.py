"""The migration dashboard: one self-contained HTML page the DAG writes after each run.

Charts are inline SVG drawn here (no JavaScript, no CDN): the page opens from disk, from
the Airflow worker's log volume, or in a headless browser in CI. Each chart element
carries ``data-*`` attributes (series, point counts) so tests can check what is drawn.
"""

from __future__ import annotations

import html
import os
from datetime import date
from pathlib import Path

from jobspikr_pipeline.migration_report import SOURCES, SUMMARY_METRICS, MigrationReport

COLOURS = {"jobspikr": "#1f77b4", "legacy": "#ff7f0e", "overlap": "#2ca02c"}
_W, _H, _PAD = 560, 220, 40
COMPLETENESS_FIELDS = ("title", "company", "city", "state", "salary", "description", "job_type")


def dashboard_path() -> Path:
    """Where the DAG writes the page: ``$JOBSPIKR_REPORTS_DIR``, else ``$AIRFLOW_HOME/reports``."""
    base = os.environ.get("JOBSPIKR_REPORTS_DIR") or Path(os.environ.get("AIRFLOW_HOME", ".")) / "reports"
    return Path(base) / "migration_dashboard.html"


def write_dashboard(report: MigrationReport, path: Path | None = None) -> Path:
    path = path or dashboard_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_dashboard(report), encoding="utf-8")
    return path


def render_dashboard(report: MigrationReport) -> str:
    when = f"{report.run_at:%Y-%m-%d %H:%M %Z}" if report.run_at else "no run yet"
    charts = [
        _line_chart("Volume: valid records per post date", report, "records"),
        _line_chart("Coverage: share of the other source's jobs found (%)", report, "coverage_pct",
                    sources=("jobspikr", "legacy")),
        _completeness_chart(report),
        _line_chart("Freshness: median hours from post date to delivery", report, "freshness_hours",
                    sources=("jobspikr", "legacy")),
    ]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>JobsPikr migration dashboard</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #222; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 16px; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: 8px; }}
table {{ border-collapse: collapse; margin: 12px 0; }}
td, th {{ border: 1px solid #ddd; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.fail {{ color: #b00020; font-weight: bold; }} .ok {{ color: #1b5e20; }}
</style></head><body>
<h1>JobsPikr migration: JobsPikr vs the legacy scraper</h1>
<p>Newest dbt run: {html.escape(when)}. {_legend()}</p>
<div class="charts">{''.join(charts)}</div>
<h2>Threshold checks</h2>{_checks_table(report)}
<h2>Totals (newest run)</h2>{_totals_table(report)}
</body></html>
"""


def _legend() -> str:
    return " ".join(f'<span style="color:{COLOURS[s]}">&#9632; {s}</span>' for s in SOURCES)


def _line_chart(title: str, report: MigrationReport, metric: str, sources: tuple[str, ...] = SOURCES) -> str:
    series = {s: report.daily.get((s, metric), []) for s in sources}
    points = [p for values in series.values() for p in values]
    body = '<text x="50%" y="50%" text-anchor="middle">no data yet</text>'
    if points:
        days = sorted({d for d, _ in points})
        top = max(v for _, v in points) or 1.0
        body = _axes(days, top) + "".join(
            _polyline(source, values, days, top) for source, values in series.items() if values)
    return _figure(title, metric, body)


def _polyline(source: str, values: list[tuple[date, float]], days: list[date], top: float) -> str:
    position = {day: i for i, day in enumerate(days)}
    coords = " ".join(f"{_x(position[d], len(days)):.1f},{_y(v, top):.1f}" for d, v in values)
    return (f'<polyline data-series="{source}" data-points="{len(values)}" fill="none" '
            f'stroke="{COLOURS[source]}" stroke-width="2" points="{coords}"/>')


def _completeness_chart(report: MigrationReport) -> str:
    bars, width = [], (_W - 2 * _PAD) / len(COMPLETENESS_FIELDS)
    for i, name in enumerate(COMPLETENESS_FIELDS):
        for j, source in enumerate(("jobspikr", "legacy")):
            value = report.totals.get((source, f"completeness_{name}_pct"))
            if value is None:
                continue
            x = _PAD + i * width + j * width / 2.5
            bars.append(f'<rect data-series="{source}" data-field="{name}" data-value="{value:.1f}" '
                        f'x="{x:.1f}" y="{_y(value, 100):.1f}" width="{width / 2.5:.1f}" '
                        f'height="{_H - _PAD - _y(value, 100):.1f}" fill="{COLOURS[source]}"/>')
        bars.append(f'<text x="{_PAD + (i + 0.4) * width:.1f}" y="{_H - _PAD + 14}" font-size="10" '
                    f'text-anchor="middle">{name}</text>')
    return _figure("Completeness by field (%)", "completeness", _axes([], 100) + "".join(bars))


def _axes(days: list[date], top: float) -> str:
    labels = ""
    if days:
        labels = (f'<text x="{_PAD}" y="{_H - _PAD + 14}" font-size="10">{days[0]:%b %d}</text>'
                  f'<text x="{_W - _PAD}" y="{_H - _PAD + 14}" font-size="10" text-anchor="end">'
                  f'{days[-1]:%b %d}</text>')
    return (f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" stroke="#888"/>'
            f'<line x1="{_PAD}" y1="{_PAD / 2}" x2="{_PAD}" y2="{_H - _PAD}" stroke="#888"/>'
            f'<text x="{_PAD - 4}" y="{_PAD / 2 + 4}" font-size="10" text-anchor="end">{top:,.0f}</text>'
            f'<text x="{_PAD - 4}" y="{_H - _PAD}" font-size="10" text-anchor="end">0</text>' + labels)


def _figure(title: str, chart: str, body: str) -> str:
    return (f'<figure data-chart="{chart}"><figcaption>{html.escape(title)}</figcaption>'
            f'<svg width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}">{body}</svg></figure>')


def _x(index: int, count: int) -> float:
    return _PAD + (_W - 2 * _PAD) * (index / max(count - 1, 1))


def _y(value: float, top: float) -> float:
    return _H - _PAD - (_H - 1.5 * _PAD) * (value / top)


def _checks_table(report: MigrationReport) -> str:
    rows = "".join(
        f'<tr><td>{html.escape(c.name)}</td><td>{"no data" if c.value is None else f"{c.value:g}"}</td>'
        f'<td>{c.rule} {c.threshold:g}</td><td class="{"ok" if c.passed else "fail"}">'
        f'{"ok" if c.passed else "FAIL"}</td></tr>' for c in report.checks)
    return f"<table><tr><th>check</th><th>value</th><th>threshold</th><th></th></tr>{rows}</table>"


def _totals_table(report: MigrationReport) -> str:
    head = "".join(f"<th>{s}</th>" for s in SOURCES)
    rows = "".join(
        f"<tr><td>{metric}</td>" + "".join(
            f"<td>{'-' if (v := report.totals.get((s, metric))) is None else fmt.format(v)}</td>"
            for s in SOURCES) + "</tr>"
        for metric, fmt in SUMMARY_METRICS)
    return f"<table><tr><th>metric</th>{head}</tr>{rows}</table>"
