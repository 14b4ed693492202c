"""The DAG's cutover summary and the dashboard page, from a hand-made report."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from jobspikr_pipeline.cutover.dashboard import dashboard_figures, render_dashboard
from jobspikr_pipeline.cutover.report import Check, CutoverReport, summary_text


def report() -> CutoverReport:
    days = [date(2026, 11, d) for d in (18, 19, 20)]
    return CutoverReport(
        run_at=datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
        totals={("jobspikr", "records"): 1200, ("legacy", "records"): 400, ("overlap", "records"): 500,
                ("jobspikr", "coverage_pct"): 62.5, ("legacy", "coverage_pct"): 20.0,
                ("jobspikr", "completeness_salary_pct"): 75.0, ("legacy", "completeness_salary_pct"): 40.0,
                ("jobspikr", "completeness_job_type_pct"): 90.0, ("legacy", "completeness_job_type_pct"): 0.0},
        checks=[Check("jobspikr_coverage_of_legacy_pct", 62.5, 80, "at least", False),
                Check("jobspikr_quarantine_rate_pct", 1.2, 5, "at most", True)],
        daily={("jobspikr", "records"): list(zip(days, (400, 420, 380), strict=True)),
               ("legacy", "records"): list(zip(days, (130, 140, 130), strict=True)),
               ("jobspikr", "coverage_pct"): list(zip(days, (60, 65, 62), strict=True))},
        history={("jobspikr", "records"): [(datetime(2026, 11, d, 3, 0, tzinfo=UTC), 400.0 * (d - 18))
                                           for d in (19, 20, 21)]},
    )


def test_summary_lists_metrics_by_source_and_flags_failed_checks() -> None:
    text = summary_text(report())
    assert re.search(r"records\s+1,200\s+400\s+500", text)
    assert re.search(r"coverage_pct\s+62\.5%\s+20\.0%\s+-", text)
    assert "[FAIL] jobspikr_coverage_of_legacy_pct = 62.5 (at least 80)" in text
    assert "[ok  ] jobspikr_quarantine_rate_pct = 1.2 (at most 5)" in text
    assert [c.name for c in report().failed_checks] == ["jobspikr_coverage_of_legacy_pct"]


def test_summary_before_any_build() -> None:
    assert "no metrics yet" in summary_text(CutoverReport(run_at=None))


def test_dashboard_draws_each_series_with_its_points() -> None:
    figures = {chart: figure for chart, (_, figure) in dashboard_figures(report()).items()}
    assert list(figures) == ["records", "coverage_pct", "completeness", "freshness_hours", "history"]
    volume = {trace.name: trace for trace in figures["records"].data}
    assert set(volume) == {"jobspikr", "legacy"}  # no daily overlap data: no line
    assert list(volume["jobspikr"].y) == [400, 420, 380] and len(volume["legacy"].x) == 3
    bars = {trace.name: dict(zip(trace.x, trace.text, strict=True)) for trace in figures["completeness"].data}
    assert bars["jobspikr"]["salary"] == "75%"
    assert bars["legacy"]["job_type"] == "0%"  # a 0% field is labelled, not a missing bar
    assert bars["legacy"]["city"] is None  # not measured: no label
    assert [trace.name for trace in figures["history"].data] == ["jobspikr"]
    assert list(figures["history"].data[0].y) == [400.0, 800.0, 1200.0]
    assert not figures["freshness_hours"].data
    assert figures["freshness_hours"].layout.annotations[0].text == "no data yet"


def test_dashboard_page_is_one_offline_file() -> None:
    page = render_dashboard(report())
    assert page.count('<figure data-chart="') == 5
    assert 'src="http' not in page  # nothing fetched: it opens from disk
    assert page.count("plotly.js v") == 1  # the library inline, once
    assert 'class="fail">FAIL' in page
