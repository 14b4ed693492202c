"""Run the ingest DAG in-process and read what it did, or do what a run does to the
warehouse without Airflow: shared by the end-to-end tests and the fault matrix."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.dag_processing.dagbag import DagBag

from devkit.suite import build
from local_stack.airflow_env import run_dag_in_process
from standin_api import StandinServer


def run_ingest(logical_date: datetime, *, airflow_retries: bool = True, conf: dict[str, Any] | None = None) -> str:
    """Run ``jobspikr_ingest`` for ``logical_date`` (``conf``: the run's params); its state."""
    dag = DagBag(dag_folder="dags").get_dag("jobspikr_ingest")
    if not airflow_retries:  # dag.test() would wait out the retry delay; the hook retried already
        for task in dag.tasks:
            task.retries = 0
    return str(run_dag_in_process(dag, logical_date=logical_date, run_conf=conf).state)


def load_and_build_as_run(logical_date: datetime) -> dict[str, Any]:
    """What the DAG's run at ``logical_date``, with its params' defaults, does to the
    warehouse, without Airflow: its extract-and-load (``jobspikr_default`` into
    ``warehouse_default``) and a dbt build. For a test whose earlier run is only the state it
    starts from: a DAG run costs three times as much. Returns the load's summary."""
    from airflow.serialization.encoders import coerce_to_core_timetable

    from jobspikr.hook import JobsPikrHook
    from jobspikr.query import JobsPikrQuery
    from jobspikr_pipeline.extract import extract_and_load
    from jobspikr_pipeline.extract_plan import ExtractWindow
    from jobspikr_pipeline.raw_schema import apply_raw_schema
    from jobspikr_pipeline.warehouse import warehouse_connection

    dag = DagBag(dag_folder="dags").get_dag("jobspikr_ingest")
    params = dag.params.dump()
    interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(run_after=logical_date)
    window = ExtractWindow.for_run(interval.start.date(), interval.end.date(), backfill_days=params["backfill_days"],
                                   lookback_days=params["lookback_days"])
    with warehouse_connection() as conn:
        apply_raw_schema(conn)
        summary = extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), window,
                                   airflow_run_id=f"as-run-{logical_date:%Y%m%dT%H%M}")
    build()
    return summary


def task_states(run_date: datetime) -> dict[str, str]:
    return {task: state for task, (state, _) in task_tries(run_date).items()}


def task_tries(run_date: datetime) -> dict[str, tuple[str, int]]:
    """Each task of the latest run at ``run_date``: its state and how many tries it took."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance).filter(TaskInstance.dag_id == "jobspikr_ingest").all()
        latest = max(r.run_id for r in rows if r.logical_date == run_date)
        return {r.task_id: (str(r.state), r.try_number) for r in rows if r.run_id == latest}


def task_seconds(run_date: datetime, task_id: str) -> float:
    """How long ``task_id``'s latest try in the latest run at ``run_date`` took."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance).filter(TaskInstance.dag_id == "jobspikr_ingest",
                                                  TaskInstance.task_id == task_id).all()
        latest = max((r for r in rows if r.logical_date == run_date), key=lambda r: r.run_id)
        return (latest.end_date - latest.start_date).total_seconds()


def run_id_at(run_date: datetime) -> str:
    """The id of the latest run of ``jobspikr_ingest`` at ``run_date``."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        return max(r.run_id for r in session.query(DagRun).filter(DagRun.dag_id == "jobspikr_ingest")
                   if r.logical_date == run_date)


def served_ids(server: StandinServer) -> set[str]:
    catalogue = server.config.catalogue
    return {catalogue.record(i)["uniq_id"] for i in range(catalogue.size)}


def seconds_from_task_end_to_run_end(run_date: datetime, task_id: str) -> float:
    """How long the latest run at ``run_date`` went on after ``task_id`` ended."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        run = max((r for r in session.query(DagRun).filter(DagRun.dag_id == "jobspikr_ingest")
                   if r.logical_date == run_date), key=lambda r: r.run_id)
        task = session.query(TaskInstance).filter(TaskInstance.run_id == run.run_id,
                                                  TaskInstance.task_id == task_id).one()
        return (run.end_date - task.end_date).total_seconds()
