# The project's Airflow image: the official image plus the pipeline's Python packages, and
# dbt in its own virtual environment (docs/architecture.md: "Why dbt has its own environment").
# The Python the project's pins are resolved and tested for (./pipeline: python3.11); the
# image's default tag may carry another.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}
ARG AIRFLOW_VERSION

# The project's pins: constraints.txt is the full resolved set of Airflow's environment the
# project tests with; dbt's are its own.
COPY --chown=airflow:0 constraints.txt requirements-dbt.txt constraints-dbt.txt /opt/jobspikr/
# The project's code, installed in editable mode over the plugins folder compose mounts: its
# provider entry point adds the JobsPikr connection type to the UI's connection form.
COPY --chown=airflow:0 pyproject.toml /opt/airflow/pyproject.toml
COPY --chown=airflow:0 plugins /opt/airflow/plugins

# Airflow pinned in the same command as what the pipeline adds (pyproject.toml's dependencies),
# everything at constraints.txt's versions: no added package can move Airflow, and no version
# is written twice. tests/integration/test_image_environment.py runs these same commands.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -e /opt/airflow \
        -c /opt/jobspikr/constraints.txt \
    && python -m venv /opt/airflow/dbt-venv \
    && /opt/airflow/dbt-venv/bin/pip install --no-cache-dir \
        -r /opt/jobspikr/requirements-dbt.txt -c /opt/jobspikr/constraints-dbt.txt

# The stand-in API, for the optional `standin` profile (a local JobsPikr double).
COPY --chown=airflow:0 standin_api /opt/airflow/standin_api
ENV DBT_EXECUTABLE=/opt/airflow/dbt-venv/bin/dbt
