"""``./pipeline``: the project's commands, one typer app with ``--help`` on each.

The bash script ``pipeline`` only bootstraps (virtual environments from the pins, the dbt
manifest) and runs the tests; every other command is here.
"""

from __future__ import annotations

import runpy
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime
from typing import Annotated

import psycopg
import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n\n")[0],
                  context_settings={"help_option_names": ["-h", "--help"]})
state_app = typer.Typer(no_args_is_help=True, help="What the loads remember: watermarks and last loads.")
app.add_typer(state_app, name="state")

BENCHMARKS = {"load": "bench.bench_load", "latency": "bench.bench_latency", "scaling": "bench.bench_scaling",
              "dbt": "bench.bench_dbt", "dedup": "bench.eval_dedup", "dedup-em": "bench.dedup_em",
              "firstload": "bench.bench_first_load"}


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@app.command()
def run(records: Annotated[int, typer.Option(help="records the stand-in API serves")] = 5_000,
        seed: Annotated[int, typer.Option(help="the stand-in's data seed")] = 42,
        since: Annotated[datetime | None, typer.Option(
            formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
            help="fetch post dates from this day on (a first load's start; default: the DAG's "
                 "backfill_days, 30, or $JOBSPIKR_SINCE)")] = None,
        real_quirks: Annotated[bool, typer.Option(
            help="the stand-in serves the real API's quirks (placeholders, 'A|B' cities, extra fields...)")] = False,
        ) -> None:
    """Run the whole pipeline end to end and print a summary.

    The stand-in API and the embedded Postgres, unless AIRFLOW_CONN_JOBSPIKR_DEFAULT and
    AIRFLOW_CONN_WAREHOUSE_DEFAULT are set.
    """
    from local_stack.run import run_pipeline

    raise typer.Exit(run_pipeline(records=records, seed=seed, since=_day(since), real_quirks=real_quirks))


@app.command()
def docs(port: Annotated[int, typer.Option(help="the port to serve the site on")] = 8081) -> None:
    """Build and serve the dbt docs site (lineage, columns, tests)."""
    from local_stack.docs import main

    raise typer.Exit(main(port=port))


@app.command()
def flags() -> None:
    """Show the cutover's source flags."""
    _rollout("status")


@app.command()
def rollback() -> None:
    """Cutover: JobsPikr off in the marts (rebuilt from the legacy scraper's data)."""
    _rollout("rollback")


@app.command()
def rollforward() -> None:
    """Cutover: JobsPikr back on in the marts."""
    _rollout("rollforward")


def _rollout(action: str) -> None:
    """The cutover flags' own command (``python -m jobspikr_pipeline.cutover.flags ACTION``,
    as a deployment runs it) against this machine's warehouse."""
    with _local_warehouse():
        from jobspikr_pipeline.cutover.flags import cli

        cli([action], standalone_mode=False)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context,
          which: Annotated[str, typer.Argument(help=f"one of: {', '.join(BENCHMARKS)}")] = "load") -> None:
    """Run a benchmark that prints its figures (its own options follow; see bench/)."""
    if which not in BENCHMARKS:
        raise typer.BadParameter(f"unknown benchmark {which!r}; one of: {', '.join(BENCHMARKS)}")
    sys.argv = [f"./pipeline bench {which}", *ctx.args]
    runpy.run_module(BENCHMARKS[which], run_name="__main__")


@app.command()
def bi(port: Annotated[int, typer.Option(help="the port to serve Superset on")] = 8088) -> None:
    """Apache Superset on the marts (as bi_reader) with the cutover dashboard; Ctrl-C stops it."""
    from local_stack.bi import running_bi

    with _warehouse() as conn, running_bi(conn, port=port) as site:
        typer.echo(f"Superset: {site.dashboard_url}\n  log in as {site.admin} / {site.admin_password}"
                   f" (kept in .local/superset/admin_password)\n  SQL Lab reads the warehouse as"
                   f" superset_reader, a member of bi_reader: the marts only. Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            typer.echo("Superset stopped.")


@app.command()
def forget(email: Annotated[str | None, typer.Option(help="the contact email to erase")] = None,
           phone: Annotated[str | None, typer.Option(help="the contact phone number to erase")] = None) -> None:
    """Erase one person's contact data from every table, audit it, and rebuild the marts.

    Every row holding the value (in the clear, in free text, or as its pseudonym) is masked
    in one transaction; raw.personal_data_erasures records what and how many, never the value.
    """
    if (email is None) == (phone is None):
        raise typer.BadParameter("give exactly one of --email and --phone")
    from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
    from jobspikr_pipeline.personal_data import PersonalDataPolicy
    from jobspikr_pipeline.personal_data_erasure import forget_and_rebuild

    field_name, value = ("contact_email", email) if email is not None else ("contact_phone_number", phone)
    assert value is not None
    with _warehouse() as conn:
        changed = forget_and_rebuild(conn, PersonalDataPolicy.configured(), field_name=field_name, value=value,
                                     conn_id=WAREHOUSE_CONN_ID)
    typer.echo(f"Erased {field_name}: {sum(changed.values())} row(s) masked"
               + "".join(f"\n  {table}: {rows}" for table, rows in sorted(changed.items()))
               + "\nThe marts were rebuilt from raw and passed their tests; the audit row is in"
                 " raw.personal_data_erasures.")


@state_app.command("show")
def state_show() -> None:
    """List each set of filters' days, watermarks and last load."""
    from jobspikr_pipeline.load_state import load_state

    with _warehouse() as conn:
        states = load_state(conn)
    if not states:
        typer.echo("No load has run against this warehouse yet.")
    for s in states:
        typer.echo(f"filters {s.query_key}: {s.days_known} post-date day(s) known"
                   f" ({s.first_day}..{s.last_day}), {s.days_with_watermark} with a watermark,"
                   f" {s.days_to_fetch_again} to fetch again from their start")
        typer.echo(f"  last load {s.last_load_id}: {s.last_load_status}"
                   f" at {s.last_load_finished_at or '-'}, {s.last_load_records} record(s) received"
                   + (f"; error: {s.last_load_error}" if s.last_load_error else ""))


@state_app.command("reset")
def state_reset(since: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                                        help="the first day to fetch again")],
                filters_key: Annotated[str | None, typer.Option(
                    help="only this set of filters (a key from `state show`); default: all")] = None) -> None:
    """Make the next run fetch every day from --since to today again, from its start.

    The raw rows already stored stay; a record fetched again is not doubled.
    """
    from jobspikr_pipeline.load_state import reset_state

    with _warehouse() as conn:
        changed = reset_state(conn, since=since.date(), until=date.today(), query_key=filters_key)
    typer.echo(f"Reset from {since.date()}: {changed['days_to_fetch_again']} day(s) will be fetched again by "
               f"the next run ({changed['watermarks_removed']} watermark(s) removed).")


@contextmanager
def _local_warehouse() -> Iterator[None]:
    """Airflow's settings for this machine, and the configured warehouse (the embedded
    Postgres unless ``AIRFLOW_CONN_WAREHOUSE_DEFAULT`` is set, started for the command)."""
    from local_stack.airflow_env import configure_airflow_env
    from local_stack.embedded_warehouse import configured_or_embedded_warehouse

    configure_airflow_env()
    with ExitStack() as stack:
        typer.echo(f"Warehouse: {configured_or_embedded_warehouse(stack)}", err=True)
        yield


@contextmanager
def _warehouse() -> Iterator[psycopg.Connection]:
    """The warehouse of ``_local_warehouse``, checked, migrated and connected."""
    from local_stack.preflight import check_warehouse

    with _local_warehouse():
        from jobspikr_pipeline.raw_schema import apply_raw_schema
        from jobspikr_pipeline.warehouse import warehouse_connection

        check_warehouse()
        with warehouse_connection() as conn:
            apply_raw_schema(conn)
            yield conn


def main() -> None:
    """The app, with set-up and configuration errors as one line (``error: ...``, exit 2),
    not a traceback."""
    from jobspikr.errors import JobsPikrConfigError
    from local_stack.preflight import SetupError

    try:
        app(prog_name="./pipeline")
    except (SetupError, JobsPikrConfigError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
