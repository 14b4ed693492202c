{{ config(indexes=[{'columns': ['metric', 'source', 'metric_date']}]) }}
-- The migration's comparison metrics per post-date day, per source and for the overlap
-- (definitions: the migration_metrics macro). Recomputed each run from all the data, so a
-- late record updates its day; migration_run_metrics keeps each run's totals as history.
{{ migration_metrics(by_day=true) }}
