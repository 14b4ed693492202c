"""The JobsPikr ingestion pipeline's steps: the raw schema, extract-and-load, dbt, the cutover."""

from pathlib import Path

#: The repository root (also in Airflow's image: dags/, plugins/, dbt_project/, config/ side by side).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
