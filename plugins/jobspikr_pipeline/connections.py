"""The Airflow connection ids the pipeline reads, named once (a module with no imports, so
the DAG files can use it at parse time for nothing)."""

#: The warehouse Postgres: raw tables, dbt's schemas, the marts.
WAREHOUSE_CONN_ID = "warehouse_default"
