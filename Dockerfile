# The project's Airflow image: the official image plus the pipeline's Python packages, and
# dbt in its own virtual environment (docs/architecture.md: "Why dbt has its own environment").
FROM apache/airflow:3.3.2

# Airflow and its providers come with the image (pinned to its own constraints); add only
# what the pipeline needs on top, at the versions the project tests with.
COPY --chown=airflow:0 requirements.txt constraints.txt requirements-dbt.txt constraints-dbt.txt /opt/jobspikr/
RUN pip install --no-cache-dir "astronomer-cosmos==1.15.1" "apache-airflow-providers-openlineage==2.20.3" \
    "psycopg[binary]==3.3.9" "orjson==3.13.0" "tenacity==9.2.1" "plotly==7.1.0" \
    && python -m venv /opt/airflow/dbt-venv \
    && /opt/airflow/dbt-venv/bin/pip install --no-cache-dir \
        -r /opt/jobspikr/requirements-dbt.txt -c /opt/jobspikr/constraints-dbt.txt

# The project's code, installed in editable mode over the plugins folder compose mounts: its
# provider entry point adds the JobsPikr connection type to the UI's connection form.
COPY --chown=airflow:0 pyproject.toml /opt/airflow/pyproject.toml
COPY --chown=airflow:0 plugins /opt/airflow/plugins
RUN pip install --no-cache-dir --no-deps -e /opt/airflow

# The stand-in API, for the optional `standin` profile (a local JobsPikr double).
COPY --chown=airflow:0 standin_api /opt/airflow/standin_api
ENV DBT_EXECUTABLE=/opt/airflow/dbt-venv/bin/dbt
