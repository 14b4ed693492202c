"""The JobsPikr ingestion pipeline's steps: schema migrations, extract-and-load, dbt."""
