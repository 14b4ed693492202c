"""Child process (run with ``.venv-bench``): dlt's ``rest_api`` source pages through the
stand-in's ``POST /v2/data`` with a cursor paginator and loads the records into Postgres.

Configured as dlt's performance guide recommends for a large load: the ``csv`` loader file
format (Postgres' ``COPY``), nested fields kept as JSON (``max_table_nesting=0``: no child
tables), and bigger buffers and files; one worker per core for normalize and load.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(dsn_url: str, api_url: str, client_id: str, client_auth_key: str, workdir: str) -> None:
    os.environ.update({
        "DLT_DATA_DIR": workdir, "DLT_PROJECT_DIR": workdir, "RUNTIME__DLTHUB_TELEMETRY": "false",
        "RUNTIME__LOG_LEVEL": "ERROR",
        "DATA_WRITER__BUFFER_MAX_ITEMS": "20000", "DATA_WRITER__FILE_MAX_ITEMS": "100000",
        "NORMALIZE__WORKERS": "2", "LOAD__WORKERS": "2",
    })
    import dlt
    from dlt.sources.rest_api import rest_api_source

    source = rest_api_source({
        "client": {
            "base_url": api_url.rstrip("/") + "/",
            "headers": {"client_id": client_id, "client_auth_key": client_auth_key},
            "paginator": {"type": "cursor", "cursor_path": "next_cursor", "cursor_body_path": "cursor",
                          "stop_after_empty_page": True},
        },
        "resources": [{
            "name": "jobspikr_jobs",
            "primary_key": "uniq_id",
            "write_disposition": "append",
            "endpoint": {
                "path": "data", "method": "POST", "data_selector": "job_data",
                "json": {"size": 100, "format": "json", "dataset": ["job_board"],
                         "search_query_json": {"bool": {"must": [{"match_all": {}}]}}},
            },
        }],
    }, max_table_nesting=0)
    pipeline = dlt.pipeline(pipeline_name="bench_dlt", destination=dlt.destinations.postgres(dsn_url),
                            dataset_name="dlt_raw", pipelines_dir=workdir)
    started = time.perf_counter()
    pipeline.run(source, loader_file_format="csv")
    seconds = time.perf_counter() - started
    with pipeline.sql_client() as client:
        rows = client.execute_sql("select count(*) from jobspikr_jobs")[0][0]
    print(json.dumps({"rows": rows, "seconds": seconds}))


if __name__ == "__main__":
    main(*sys.argv[1:])
