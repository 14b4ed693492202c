"""The ``raw`` schema's DDL: versioned, ordered SQL migrations (the DAG's ``migrate_raw_schema``).

Not the cutover from the legacy scraper (that is ``jobspikr_pipeline.cutover``). Files in
``raw_schema/`` are named ``NNNN_description.sql`` and applied in order, all in
one transaction (all or nothing), under an advisory lock so two runs never migrate at once. History is
append-only: a migration that was applied and has since been edited is an error, not
something to re-run.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)

RAW_SCHEMA_DIR = Path(__file__).parent / "raw_schema"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
#: Arbitrary constant identifying "raw schema migration" in pg_advisory_xact_lock.
_LOCK_ID = 7_114_201


class RawSchemaError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = RAW_SCHEMA_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise RawSchemaError(f"migration file {path.name!r} is not named NNNN_description.sql")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text()))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise RawSchemaError(f"two migration files share a version number: {versions}")
    return migrations


def apply_raw_schema(conn: psycopg.Connection, directory: Path = RAW_SCHEMA_DIR) -> list[str]:
    """Apply what is missing; return the names applied (empty when up to date)."""
    applied_now = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        conn.execute("create schema if not exists raw")
        conn.execute(
            "create table if not exists raw.schema_migrations ("
            " version integer primary key, name text not null, checksum text not null,"
            " applied_at timestamptz not null default now())")
        done = dict(conn.execute("select version, checksum from raw.schema_migrations"))
        for migration in discover(directory):
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    raise RawSchemaError(
                        f"migration {migration.name} was edited after it was applied; add a new "
                        "migration instead of changing history")
                continue
            log.info("applying migration %s", migration.name)
            conn.execute(migration.sql)
            conn.execute("insert into raw.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                         (migration.version, migration.name, migration.checksum))
            applied_now.append(migration.name)
    return applied_now
