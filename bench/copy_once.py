"""Child process: the practical limit, a plain ``COPY`` of already-serialized rows."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import psycopg

TABLE = """create table if not exists bench_copy_limit (
    uniq_id text, cursor bigint, crawl_timestamp timestamptz, post_date date, payload jsonb,
    primary key (uniq_id, cursor))"""


def main(dsn: str, csv_path: str) -> None:
    path = Path(csv_path)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists bench_copy_limit")
        conn.execute(TABLE)
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, cur.copy(
                "copy bench_copy_limit from stdin (format csv)") as copy, path.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        rows = conn.execute("select count(*) from bench_copy_limit").fetchone()[0]
    print(json.dumps({"rows": rows, "bytes": path.stat().st_size, "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
