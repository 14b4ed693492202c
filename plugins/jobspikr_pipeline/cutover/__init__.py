"""The cutover from the legacy scraper to JobsPikr, apart from the raw schema's DDL
(``jobspikr_pipeline.raw_schema``): ``flags`` (the sources' feature flags, rollback and
roll-forward), ``report`` (the DAG's cutover summary and threshold checks) and
``dashboard`` (the offline Plotly page). The comparison itself is dbt's
(``models/marts/cutover/``, ``macros/cutover/``); this package reads its results."""
