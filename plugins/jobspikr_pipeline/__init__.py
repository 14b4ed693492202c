"""The JobsPikr ingestion pipeline's steps: schema migrations, extract-and-load, dbt."""

from pathlib import Path

#: The repository root (also in Airflow's image: dags/, plugins/, dbt_project/, config/ side by side).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
