"""JobsPikr job-data API client for Airflow: hook, query builder and typed errors."""
