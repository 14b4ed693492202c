"""The cutover's comparison metrics as the DAG reports them after each dbt build.

dbt computes the metrics (``marts.cutover_run_metrics``, ``marts.cutover_daily_metrics``)
and checks them against the thresholds (``marts.cutover_threshold_checks``); this module
reads the newest run back, formats the one readable summary the DAG logs, and hands the
same data to the dashboard. Failed checks are warnings, not task failures: a cutover
falling short is a decision for people, while the data itself is sound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jobspikr_pipeline.project_vars import completeness_fields

#: The comparison's columns, in the order the summary and the dashboard show them.
SOURCES = ("jobspikr", "legacy", "overlap")
#: Metrics in the summary, with how to print them.
SUMMARY_METRICS = (
    ("records", "{:,.0f}"), ("unique_jobs", "{:,.0f}"), ("coverage_pct", "{:.1f}%"),
    ("duplicate_rate_pct", "{:.1f}%"), ("quarantine_rate_pct", "{:.1f}%"), ("freshness_hours", "{:.1f} h"),
    *((f"completeness_{name}_pct", "{:.1f}%") for name in completeness_fields()),
    ("ingestion_seconds", "{:.1f} s"),
)


@dataclass(frozen=True)
class Check:
    name: str
    value: float | None
    threshold: float
    rule: str
    passed: bool


@dataclass
class CutoverReport:
    """The newest run's totals, its threshold checks, the per-day series, and every run's
    totals (``history``: (source, metric) to (run_at, value), oldest first)."""

    run_at: datetime | None
    totals: dict[tuple[str, str], float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    daily: dict[tuple[str, str], list[tuple[date, float]]] = field(default_factory=dict)
    history: dict[tuple[str, str], list[tuple[datetime, float]]] = field(default_factory=dict)

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def load_report(conn: Any) -> CutoverReport:
    """Read the newest run's metrics and checks, and the daily series, from the marts
    (an empty report before dbt has built them)."""
    built = conn.execute("select to_regclass('marts.cutover_threshold_checks') is not null").fetchone()[0]
    if not built:
        return CutoverReport(run_at=None)
    newest = conn.execute(
        "select invocation_id, run_at from marts.cutover_run_metrics order by run_at desc limit 1").fetchone()
    if newest is None:
        return CutoverReport(run_at=None)
    invocation_id, run_at = newest
    report = CutoverReport(run_at=run_at)
    for source, metric, value in conn.execute(
            "select source, metric, value from marts.cutover_run_metrics where invocation_id = %s",
            (invocation_id,)):
        report.totals[(source, metric)] = float(value)
    report.checks = [Check(name, None if value is None else float(value), float(threshold), rule, passed)
                     for name, value, threshold, rule, passed in conn.execute(
                         "select check_name, value, threshold, rule, passed"
                         " from marts.cutover_threshold_checks order by check_name")]
    for day, source, metric, value in conn.execute(
            "select metric_date, source, metric, value from marts.cutover_daily_metrics"
            " where metric_date is not null order by metric_date"):
        report.daily.setdefault((source, metric), []).append((day, float(value)))
    for run_at, source, metric, value in conn.execute(
            "select run_at, source, metric, value from marts.cutover_run_metrics"
            " where value is not null order by run_at"):
        report.history.setdefault((source, metric), []).append((run_at, float(value)))
    return report


def summary_text(report: CutoverReport) -> str:
    """The cutover summary the DAG logs: metrics by source, then the threshold checks."""
    if report.run_at is None:
        return "Cutover summary: no metrics yet (dbt has not built marts.cutover_run_metrics)."
    width = max(len(name) for name, _ in SUMMARY_METRICS)
    lines = [f"Cutover summary (dbt run at {report.run_at:%Y-%m-%d %H:%M:%S %Z}):",
             f"  {'metric':<{width}}  " + "  ".join(f"{s:>12}" for s in SOURCES)]
    for metric, fmt in SUMMARY_METRICS:
        cells = [report.totals.get((source, metric)) for source in SOURCES]
        if all(c is None for c in cells):
            continue
        lines.append(f"  {metric:<{width}}  " + "  ".join(
            f"{'-' if c is None else fmt.format(c):>12}" for c in cells))
    lines.append("  Thresholds (dbt_project.yml: cutover_thresholds):")
    for check in report.checks:
        value = "no data" if check.value is None else f"{check.value:g}"
        mark = "ok  " if check.passed else "FAIL"
        lines.append(f"    [{mark}] {check.name} = {value} ({check.rule} {check.threshold:g})")
    return "\n".join(lines)
