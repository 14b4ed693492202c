"""What the tests and the benchmarks share: ``dedup`` (landing a catalogue and scoring the
marts' grouping against the generator's truth), ``extract_load`` (one extract-and-load in a
child process, ``python -m tests.support.extract_load``: the process the fault matrix and
the raw landing tests kill, and the load benchmark measures) and ``scale_out`` (Airflow's
services with Celery workers, for the scale-out test)."""
