"""The DAG's migration summary and the dashboard page, from a hand-made report."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from jobspikr_pipeline.dashboard import render_dashboard
from jobspikr_pipeline.migration_report import Check, MigrationReport, summary_text


def report() -> MigrationReport:
    days = [date(2026, 11, d) for d in (18, 19, 20)]
    return MigrationReport(
        run_at=datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
        totals={("jobspikr", "records"): 1200, ("legacy", "records"): 400, ("overlap", "records"): 500,
                ("jobspikr", "coverage_pct"): 62.5, ("legacy", "coverage_pct"): 20.0,
                ("jobspikr", "completeness_salary_pct"): 75.0, ("legacy", "completeness_salary_pct"): 40.0},
        checks=[Check("jobspikr_coverage_of_legacy_pct", 62.5, 80, "at least", False),
                Check("jobspikr_quarantine_rate_pct", 1.2, 5, "at most", True)],
        daily={("jobspikr", "records"): list(zip(days, (400, 420, 380), strict=True)),
               ("legacy", "records"): list(zip(days, (130, 140, 130), strict=True)),
               ("jobspikr", "coverage_pct"): list(zip(days, (60, 65, 62), strict=True))},
    )


def test_summary_lists_metrics_by_source_and_flags_failed_checks() -> None:
    text = summary_text(report())
    assert re.search(r"records\s+1,200\s+400\s+500", text)
    assert re.search(r"coverage_pct\s+62\.5%\s+20\.0%\s+-", text)
    assert "[FAIL] jobspikr_coverage_of_legacy_pct = 62.5 (at least 80)" in text
    assert "[ok  ] jobspikr_quarantine_rate_pct = 1.2 (at most 5)" in text
    assert [c.name for c in report().failed_checks] == ["jobspikr_coverage_of_legacy_pct"]


def test_summary_before_any_build() -> None:
    assert "no metrics yet" in summary_text(MigrationReport(run_at=None))


def test_dashboard_draws_each_series_with_its_points() -> None:
    page = render_dashboard(report())
    volume = page.split('data-chart="records"')[1].split("</figure>")[0]
    assert 'data-series="jobspikr" data-points="3"' in volume
    assert 'data-series="legacy" data-points="3"' in volume
    assert 'data-series="overlap"' not in volume  # no daily overlap data: no line
    completeness = page.split('data-chart="completeness"')[1].split("</figure>")[0]
    assert 'data-series="jobspikr" data-field="salary" data-value="75.0"' in completeness
    assert 'class="fail">FAIL' in page
    assert "no data yet" in page.split('data-chart="freshness_hours"')[1].split("</figure>")[0]
