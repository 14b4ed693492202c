"""The cutover's feature flags (``dbt_project/seeds/source_flags.csv``) and the rollback.

The flags are a dbt seed, so they are versioned with the code and every run applies them.
``rollback`` turns JobsPikr off in the marts (and the legacy scraper fully on) and rebuilds
them with dbt; ``rollforward`` turns JobsPikr back on. Neither touches raw data or
history: both sources keep landing, and the snapshots keep every version. Which consumer a
flag serves (its A/B bucket and range) is dbt's alone: ``macros/cutover/consumer_bucket.sql``.

Usage (with ``AIRFLOW_CONN_WAREHOUSE_DEFAULT`` or the Airflow connection configured):
``python -m jobspikr_pipeline.cutover.flags {status,rollback,rollforward}``; locally,
``./pipeline rollback`` / ``./pipeline rollforward``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer

from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
from jobspikr_pipeline.dbt import DBT_PROJECT_DIR, build_args, run_dbt

FLAGS_PATH = DBT_PROJECT_DIR / "seeds" / "source_flags.csv"
_COLUMNS = ("source", "enabled", "rollout_percent", "rollout_from", "description")


class FlagError(ValueError):
    """The flags file is malformed, or names a source it does not have."""


@dataclass(frozen=True)
class SourceFlag:
    source: str
    enabled: bool
    rollout_percent: int
    rollout_from: str
    description: str


def read_flags(path: Path = FLAGS_PATH) -> dict[str, SourceFlag]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    flags = {}
    for number, row in enumerate(rows, start=2):
        try:
            flag = SourceFlag(source=row["source"], enabled=row["enabled"].strip().lower() == "true",
                              rollout_percent=int(row["rollout_percent"]), rollout_from=row["rollout_from"],
                              description=row["description"])
        except (KeyError, ValueError, AttributeError) as exc:
            raise FlagError(f"{path}:{number}: expected columns {', '.join(_COLUMNS)}: {exc}") from exc
        if not 0 <= flag.rollout_percent <= 100 or flag.rollout_from not in ("low", "high"):
            raise FlagError(f"{path}:{number}: rollout_percent must be 0-100 and rollout_from low or high")
        flags[flag.source] = flag
    return flags


def write_flags(flags: dict[str, SourceFlag], path: Path = FLAGS_PATH) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for flag in flags.values():
        writer.writerow((flag.source, str(flag.enabled).lower(), flag.rollout_percent, flag.rollout_from,
                         flag.description))
    path.write_text(out.getvalue(), encoding="utf-8")


def set_flags(changes: dict[str, dict[str, object]], path: Path = FLAGS_PATH) -> dict[str, SourceFlag]:
    """Apply ``{source: {field: value}}`` to the flags file; return the new flags."""
    flags = read_flags(path)
    unknown = set(changes) - set(flags)
    if unknown:
        raise FlagError(f"{path} has no source {', '.join(sorted(unknown))}")
    flags = {name: replace(flag, **changes.get(name, {})) for name, flag in flags.items()}  # type: ignore[arg-type]
    write_flags(flags, path)
    return flags


def rollback(conn_id: str = WAREHOUSE_CONN_ID, path: Path = FLAGS_PATH) -> dict[str, SourceFlag]:
    """JobsPikr off, the legacy scraper on for everyone; rebuild the marts."""
    flags = set_flags({"jobspikr": {"enabled": False},
                       "legacy": {"enabled": True, "rollout_percent": 100}}, path)
    run_dbt(build_args(), conn_id=conn_id)
    return flags


def rollforward(conn_id: str = WAREHOUSE_CONN_ID, path: Path = FLAGS_PATH) -> dict[str, SourceFlag]:
    """JobsPikr back on for everyone; rebuild the marts."""
    flags = set_flags({"jobspikr": {"enabled": True, "rollout_percent": 100}}, path)
    run_dbt(build_args(), conn_id=conn_id)
    return flags


def describe(flags: dict[str, SourceFlag]) -> str:
    return "\n".join(f"  {f.source:<10} enabled={str(f.enabled).lower():<5} rollout={f.rollout_percent}% "
                     f"(from {f.rollout_from})" for f in flags.values())


cli = typer.Typer(help="The cutover's source flags: show them, roll back or roll forward (the marts rebuilt).",
                  no_args_is_help=True, add_completion=False)
ConnId = Annotated[str, typer.Option(help="the Airflow connection of the warehouse")]


@cli.command()
def status() -> None:
    """Show the source flags."""
    print(f"Source flags ({FLAGS_PATH}):\n{describe(read_flags())}")


@cli.command("rollback")
def rollback_command(conn_id: ConnId = WAREHOUSE_CONN_ID) -> None:
    """JobsPikr off in the marts (rebuilt from the legacy scraper's data)."""
    rollback(conn_id)
    status()


@cli.command("rollforward")
def rollforward_command(conn_id: ConnId = WAREHOUSE_CONN_ID) -> None:
    """JobsPikr back on in the marts."""
    rollforward(conn_id)
    status()


if __name__ == "__main__":
    cli()
