{{ config(indexes=[{'columns': ['metric', 'source', 'metric_date']}]) }}
-- The cutover's comparison metrics per post-date day, per source and for the overlap
-- (definitions: the cutover_metrics macro). Recomputed each run from all the data, so a
-- late record updates its day; cutover_run_metrics keeps each run's totals as history.
{{ cutover_metrics(by_day=true) }}
