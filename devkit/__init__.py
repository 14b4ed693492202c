"""The development kit: what the tests and the benchmarks share, never imported by the product.

- ``suite``: the tests' fixed date, the stand-in's connection as tests use it, each xdist
  worker's own directories, a temporary database, dbt builds on the test warehouse, landing
  records in one call;
- ``extract_load``: one extract-and-load in a child process (``python -m devkit.extract_load``),
  the process the fault matrix and the raw landing tests kill and the load benchmark measures;
- ``dag_runs``: the ingest DAG run in-process, and what its runs did; or what a run does to
  the warehouse, without Airflow (its load and a dbt build);
- ``lineage``: OpenLineage on around one block (the suite runs with it off);
- ``dedup``: landing a catalogue and scoring the marts' grouping against a truth;
- ``hand_checked``: the cutover's hand-checked set;
- ``warehouse_checks``, ``contact_values``: generated values through the loader and dbt,
  and the contact values planted in text;
- ``browser``: headless Chromium over the DevTools protocol;
- ``compose``, ``image``, ``scale_out``, ``tcp_forward``: docker-compose.yaml and the
  Dockerfile as local processes (the deployment tests).
"""
