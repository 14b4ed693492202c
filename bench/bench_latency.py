"""Throughput against a slow API: what parallel post-date days buy within the rate limit.

The stand-in answers every page after ``--latency-ms`` (0 and a realistic 300 ms), and the
client is held to ``--rpm`` requests per minute (the rate limit, shared by all streams).
For ``parallel_days`` 1 (one day after another) and more, the real extract-and-load path
lands N records into a fresh database; the table shows rows/s, requests/s and the share of
the rate limit used (requests/s over ``rpm / 60``; each day also costs one request that
finds its end, so rows/s stays a little under ``rpm / 60 * page_size``). Target: at 300 ms,
at least 80%.
Usage: ``./pipeline bench latency [--records 10000] [--rpm 600] [--streams 1 2 4]``.
"""

from __future__ import annotations

import argparse
import statistics

from bench.harness import postgres_admin, project_load, standin_process, write_result
from standin_api.server import Account

PAGE_SIZE = 100


def jobspikr_conn(url: str, rpm: int, streams: int) -> str:
    return Account().connection_json(url, requests_per_minute=rpm, parallel_days=streams, page_size=PAGE_SIZE)


def measure(admin: str, records: int, latency_ms: int, rpm: int, streams: int,
            repeat: int) -> tuple[float, float]:
    """Median rows/s and requests/s of ``repeat`` loads."""
    seconds, requests = [], 0
    with standin_process(records, latency_ms=latency_ms) as url:
        for _ in range(repeat):
            _, loaded = project_load(admin, "bench_latency", jobspikr_conn(url, rpm, streams), records)
            seconds.append(float(loaded.output["seconds"]))
            requests = int(loaded.output["pages"])  # the same every run
    return records / statistics.median(seconds), requests / statistics.median(seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rpm", type=int, default=600, help="the client's rate limit (requests per minute)")
    parser.add_argument("--latencies", type=int, nargs="+", default=[0, 300], help="ms per page")
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 2, 4], help="parallel_days values")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    lines = [f"{args.records:,} records, rate limit {args.rpm} requests/min ({args.rpm / 60:g}/s, "
             f"{args.rpm / 60 * PAGE_SIZE:,.0f} rows/s at most), median of {args.repeat} runs.\n",
             "| API latency | parallel_days | rows/s | requests/s | share of the rate limit |",
             "|---:|---:|---:|---:|---:|"]
    with postgres_admin() as admin:
        for latency in args.latencies:
            for streams in args.streams:
                rows_s, requests_s = measure(admin, args.records, latency, args.rpm, streams, args.repeat)
                lines.append(f"| {latency} ms | {streams} | {rows_s:,.0f} | {requests_s:.1f} "
                             f"| {requests_s / (args.rpm / 60):.0%} |")
                print(lines[-1], flush=True)
    table = "\n".join(lines) + "\n"
    print(f"\n{table}\n(written to {write_result('latency.md', table)})")


if __name__ == "__main__":
    main()
