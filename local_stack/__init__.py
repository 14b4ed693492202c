"""Local set-up for the demo run and the tests: Airflow home, embedded warehouse, stand-in API."""
