"""`thidua backup` and `thidua restore` for SQLite (issue 22), through SQLite's online backup API.

The copy is made page by page in a worker thread while the bot keeps running: between steps the bot's
writes go on, and SQLite starts the copy again if another connection changed the database meanwhile, so the
file is always one consistent state. It is checked (`PRAGMA integrity_check`) before it is called done.
PostgreSQL is pg_dump's and pg_restore's: `backup_target` refuses it with the command to use.

A backup taken while a vote is open (or closed and not yet tallied) holds that vote's sealed ballots, which
anyone holding VOTE_SECRET as well could read: `ballots_sealed` counts those votes, and the command says so.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

STEP_PAGES = 256  # pages copied per step; the bot may write between steps
STEP_PAUSE = 0.005


class BackupError(Exception):
    """A refusal the operator can act on: `key` is its catalogue text, `params` its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int
    ballots_sealed: int  # votes whose ballots are still sealed (open, or closed and not tallied)


def sqlite_path(database_url: str) -> Path:
    """The SQLite file of DATABASE_URL; PostgreSQL (or an in-memory database) is refused with what to do."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "cli-backup-postgres", host=url.host or "localhost", port=url.port or 5432, db=url.database or ""
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("cli-backup-memory")
    return Path(url.database)


def _copy(source: Path, target: Path, *, new_file: bool = True) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=STEP_PAGES, sleep=STEP_PAUSE)
        if new_file:
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def check(path: Path) -> int:
    """The file is a sound thidua database: integrity, and the schema's version; the sealed votes it holds."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        raise BackupError("cli-backup-not-sqlite", path=str(path)) from None
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("cli-backup-damaged", path=str(path))
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
        row = conn.execute("SELECT count(*) FROM voting_round WHERE state IN ('open', 'closed')").fetchone()
        return int(row[0])
    except sqlite3.DatabaseError:
        raise BackupError("cli-backup-not-thidua", path=str(path)) from None
    finally:
        conn.close()


async def backup(database_url: str, target: Path) -> Copied:
    """Copy the running database to `target` (a new file) in a worker thread, then check the copy."""
    return await asyncio.to_thread(_backup, sqlite_path(database_url), target)


def _backup(source: Path, target: Path) -> Copied:
    if not source.exists():
        raise BackupError("cli-backup-no-database", path=str(source))
    if target.exists():
        raise BackupError("cli-backup-exists", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        sealed = check(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(target)
    return Copied(target, target.stat().st_size, sealed)


async def restore(database_url: str, backup_file: Path, keep: Path | None) -> Copied:
    """Replace the database with `backup_file` (checked first); the current one is first kept at `keep`.

    The bot must be stopped: a running bot holds its own view of the data (its caches, its conversations)."""
    return await asyncio.to_thread(_restore, sqlite_path(database_url), backup_file, keep)


def _restore(target: Path, backup_file: Path, keep: Path | None) -> Copied:
    if not backup_file.exists():
        raise BackupError("cli-backup-no-database", path=str(backup_file))
    sealed = check(backup_file)
    if keep is not None and target.exists():
        _backup(target, keep)
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup_file, target, new_file=False)
    return Copied(target, target.stat().st_size, sealed)
