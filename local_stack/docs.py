"""``./pipeline docs``: build dbt's docs site (lineage, columns, tests) and serve it (port 8081 by default)."""

from __future__ import annotations

import subprocess
from contextlib import ExitStack, suppress

from local_stack.airflow_env import configure_airflow_env
from local_stack.embedded_warehouse import configured_or_embedded_warehouse


def main(port: int = 8081) -> int:
    configure_airflow_env()
    from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
    from jobspikr_pipeline.dbt import DBT_PROJECT_DIR, dbt_invocation, run_dbt

    with ExitStack() as stack:
        print(f"Warehouse: {configured_or_embedded_warehouse(stack)}")
        run_dbt(["docs", "generate"], conn_id=WAREHOUSE_CONN_ID)
        print(f"Docs built in {DBT_PROJECT_DIR / 'target'}; serving on http://localhost:{port} (Ctrl-C stops)")
        command, env = stack.enter_context(dbt_invocation(["docs", "serve", "--port", str(port), "--no-browser"],
                                                          conn_id=WAREHOUSE_CONN_ID))
        with suppress(KeyboardInterrupt):
            subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, check=False)
    return 0

