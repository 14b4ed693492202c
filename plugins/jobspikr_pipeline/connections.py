"""The Airflow connection ids the pipeline reads, named once (a module with no imports, so
the DAG files can use it at parse time for nothing). The JobsPikr API's is the hook's
``JobsPikrHook.default_conn_name``, as Airflow's providers name theirs."""

#: The warehouse Postgres: raw tables, dbt's schemas, the marts.
WAREHOUSE_CONN_ID = "warehouse_default"
