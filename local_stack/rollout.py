"""``./pipeline rollback`` / ``./pipeline rollforward`` / ``./pipeline flags``: the migration's
rollback and its reverse against this machine's warehouse (the embedded Postgres unless
``AIRFLOW_CONN_WAREHOUSE_DEFAULT`` is set). See ``jobspikr_pipeline.rollout``."""

from __future__ import annotations

import sys
from contextlib import ExitStack

from local_stack.airflow_env import configure_airflow_env
from local_stack.embedded_warehouse import configured_or_embedded_warehouse


def main(argv: list[str]) -> None:
    configure_airflow_env()
    with ExitStack() as stack:
        print(f"Warehouse: {configured_or_embedded_warehouse(stack)}", flush=True)
        from jobspikr_pipeline.rollout import main as rollout_main

        rollout_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
