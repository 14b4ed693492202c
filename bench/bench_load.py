"""Raw-landing benchmark: this project's extract-and-load path against a plain ``COPY`` and
against dlt, on the same stand-in API and the same Postgres.

For each N, in one run on one machine, ``--repeat`` times (the median is reported):

1. the stand-in API (own process, records pre-encoded so it is not the bottleneck) serves
   N records; a child process runs the real ``extract_and_load`` (hook, pages, batches,
   COPY, idempotent merge, watermarks, load log) into a fresh database;
2. the same rows, exported as CSV, are loaded by a child doing nothing but ``COPY``:
   the practical limit on this machine;
3. dlt's ``rest_api`` source with a cursor paginator pages through the same API into a
   fresh database (``bench/dlt_once.py``, configured as dlt's performance guide says).

Prints rows/s, MB/s and peak RSS (kernel ``ru_maxrss``) of each and the ratios; writes the
table to ``bench/results/load.md``. Usage: ``./pipeline bench load [--sizes 100000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bench.harness import (
    BENCH_ENV,
    BENCH_PYTHON,
    ChildResult,
    fresh_database,
    postgres_admin,
    project_load,
    run_child,
    standin_process,
    write_result,
)
from standin_api.server import Account

#: The records the stand-in serves: its generated ones (about 2.4 KB) or the real rows' (10 KB).
SHAPES = ("stand-in", "real")


def jobspikr_conn(url: str) -> str:
    return Account().connection_json(url, requests_per_minute=1_000_000)


def dlt_destination(dsn: str) -> str:
    """dlt wants a URL with a password and a host; a local socket goes in the query."""
    params = conninfo_to_dict(dsn)
    host = str(params.get("host", "localhost"))
    socket = f"?host={host}" if host.startswith("/") else ""
    return (f"postgresql://{params.get('user', 'postgres')}:{params.get('password') or 'unused'}"
            f"@{'localhost' if socket else host}:{params.get('port', 5432)}/{params['dbname']}{socket}")


def run_dlt(admin: str, records: int, url: str) -> ChildResult:
    dsn = fresh_database(admin, f"bench_dlt_{records}")
    account = Account()
    with tempfile.TemporaryDirectory() as workdir:
        result = run_child("bench.dlt_once", dlt_destination(dsn), url, account.client_id,
                           account.client_auth_key, workdir, python=BENCH_PYTHON)
    assert result.output["rows"] == records, result.output
    return result


def measure(admin: str, records: int, repeat: int, shape: str) -> dict[str, Any]:
    project, limit, dlt = [], [], []
    with standin_process(records, real_rows=shape == "real") as url:
        for attempt in range(repeat):
            dsn, loaded = project_load(admin, f"bench_load_{records}", jobspikr_conn(url), records)
            project.append(loaded)
            with tempfile.TemporaryDirectory() as tmp:
                csv_path = Path(tmp) / "rows.csv"
                with psycopg.connect(dsn) as conn, conn.cursor() as cur, csv_path.open("wb") as f, cur.copy(
                        "copy (select uniq_id, cursor, crawl_timestamp, post_date, payload"
                        " from raw.jobspikr_jobs) to stdout (format csv)") as copy:
                    for chunk in copy:
                        f.write(chunk)
                limit.append(run_child("bench.copy_once", dsn, str(csv_path)))
            dlt.append(run_dlt(admin, records, url))
            print(f"  N={records:,} {shape} run {attempt + 1}/{repeat}: project {loaded.output['seconds']:.1f}s, "
                  f"COPY {limit[-1].output['seconds']:.1f}s, dlt {dlt[-1].output['seconds']:.1f}s", flush=True)
    p_secs = statistics.median(float(r.output["seconds"]) for r in project)
    c_secs = statistics.median(float(r.output["seconds"]) for r in limit)
    d_secs = statistics.median(float(r.output["seconds"]) for r in dlt)
    api_bytes = statistics.median(float(r.output["bytes"]) for r in project)
    return {
        "records": records,
        "shape": shape,
        "record_kb": api_bytes / records / 1e3,
        "project_rows_s": records / p_secs,
        "project_mb_s": statistics.median(float(r.output["bytes"]) for r in project) / p_secs / 1e6,
        "project_rss_mb": statistics.median(r.peak_rss_mb for r in project),
        # what the load itself adds to a process that has Airflow and the project imported
        "project_own_rss_mb": statistics.median(r.peak_rss_mb - float(r.output["import_rss_mb"]) for r in project),
        "copy_rows_s": records / c_secs,
        "copy_mb_s": statistics.median(float(r.output["bytes"]) for r in limit) / c_secs / 1e6,
        "copy_rss_mb": statistics.median(r.peak_rss_mb for r in limit),
        "dlt_rows_s": records / d_secs,
        "dlt_mb_s": api_bytes / d_secs / 1e6,  # the same API responses
        "dlt_rss_mb": statistics.median(r.peak_rss_mb for r in dlt),
        "repeat": repeat,
    }


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"Median of {int(rows[0]['repeat'])} runs per size. Records: the stand-in's generated ones, or the"
        " real rows' size and shape (../shared's export, repeated with new ids). MB/s: the API's JSON for"
        " the project and dlt, the CSV for COPY.\n",
        "| N | records | path | rows/s | MB/s | peak RSS | of which the load | rows/s vs COPY | rows/s vs dlt |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for path, label in (("project", "this project"), ("copy", "COPY (limit)"), ("dlt", "dlt rest_api")):
            own = f"{r['project_own_rss_mb']:.0f} MB" if path == "project" else "-"
            lines.append(
                f"| {int(r['records']):,} | {r['shape']} ({r['record_kb']:.1f} KB) | {label} "
                f"| {r[f'{path}_rows_s']:,.0f} | {r[f'{path}_mb_s']:.1f} "
                f"| {r[f'{path}_rss_mb']:.0f} MB "
                f"| {own} "
                f"| {r[f'{path}_rows_s'] / r['copy_rows_s']:.2f} "
                f"| {r[f'{path}_rows_s'] / r['dlt_rows_s']:.2f} |")
    lines.append("\nPeak RSS is the kernel's for the whole child process; \"of which the load\" is the peak above"
                 " what the process held before the load started (Python, Airflow and the project imported: "
                 f"{statistics.median(r['project_rss_mb'] - r['project_own_rss_mb'] for r in rows):.0f} MB, as in any"
                 " Airflow task).")
    lines.append("Targets: on real-size records at least 0.9 of COPY's rows/s, 3.5x dlt's and a peak RSS of"
                 " at most 150 MB; on the stand-in's records at least 0.8 of COPY's.")
    for shape in dict.fromkeys(r["shape"] for r in rows):
        sized = [r for r in rows if r["shape"] == shape]
        if len(sized) > 1:
            growth = sized[-1]["project_rss_mb"] / sized[0]["project_rss_mb"]  # the whole process, as targeted
            lines.append(f"Peak RSS of the project path on {shape} records at N={int(sized[-1]['records']):,} is "
                         f"{growth:.2f}x that at N={int(sized[0]['records']):,} (target: within 1.20x).")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the median is reported")
    parser.add_argument("--records", choices=SHAPES, nargs="+", default=list(SHAPES),
                        help="the stand-in's generated records, the real rows' size and shape, or both")
    args = parser.parse_args(argv)
    with postgres_admin() as admin:
        rows = [measure(admin, n, args.repeat, shape) for shape in args.records for n in args.sizes]
    table = report(rows)
    path = write_result("load.md", table)
    figures = write_result("load.json", json.dumps(rows, indent=1))
    chart = run_child("bench.plot_load", str(figures), str(figures.with_suffix(".png")), python=BENCH_PYTHON,
                      env={**BENCH_ENV, "MPLBACKEND": "Agg"})
    print(f"\n{table}\n(written to {path}; chart {chart.output['chart']})")


if __name__ == "__main__":
    main()
