"""`thidua backup` and `thidua restore` (issue 22): SQLite's online backup while the bot writes; PostgreSQL
points to pg_dump; a backup holding sealed ballots says so."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.backup import backup
from bot.cli import main
from storage.models import AuditEntry
from tests.handlers.test_core_middlewares import probe_world


def db_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite+aiosqlite:///"))


def names(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT full_name FROM person")}


@pytest.fixture
def cli(sqlite_templates, tmp_path, monkeypatch):
    url = sqlite_templates.fresh()
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True, url: str = url, input: str | None = None):
        env = {"DATABASE_URL": url, "BOT_TOKEN": ""}
        result = runner.invoke(main, ["--lang", "en", *args], env=env, input=input, catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    invoke.url = url  # type: ignore[attr-defined]
    return invoke


async def test_a_backup_taken_while_the_bot_writes_is_whole_and_consistent(sqlite_templates, tmp_path, clock):
    url = sqlite_templates.fresh()
    world = await probe_world(url, clock, [])
    hoa = await world.staff("Nguyễn Thị Hoa")
    stop = asyncio.Event()

    done, going = [0], asyncio.Event()

    async def keep_writing() -> None:  # the bot at work: each update commits a row
        while not stop.is_set():
            await hoa.send("/step")
            await asyncio.sleep(0)
            done[0] += 1
            if done[0] >= 3:
                going.set()

    writer = asyncio.create_task(keep_writing())
    await going.wait()
    copied = await backup(url, tmp_path / "b" / "copy.db")
    during = done[0]
    stop.set()
    await writer
    assert copied.path.exists() and copied.size > 0 and copied.ballots_sealed == 0
    with closing(sqlite3.connect(copied.path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "Nguyễn Thị Hoa" in names(copied.path)
    with closing(sqlite3.connect(copied.path)) as conn:
        steps = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'probe.step'").fetchone()[0]
    live = len(await world.rows(AuditEntry, AuditEntry.action == "probe.step"))
    assert 3 <= steps <= live and during <= live
    assert not (tmp_path / "b" / "copy.db.part").exists()
    await world.close()
    await world.engine.dispose()


def test_backup_then_restore_brings_the_data_back_and_keeps_the_database_it_replaced(cli, tmp_path):
    live = db_file(cli.url)
    with closing(sqlite3.connect(live)) as conn:
        conn.execute(
            "INSERT INTO unit (code, name, kind, active, is_example) VALUES ('KT', 'Phòng KT', 'phong', 1, 0)"
        )
        conn.commit()
    out = cli("backup", "saved.db")
    assert "backed up to saved.db" in out.output
    with closing(sqlite3.connect(live)) as conn:
        conn.execute("DELETE FROM unit WHERE code = 'KT'")
        conn.commit()
    cli("backup", "saved.db", ok=False)  # never overwrites an earlier backup
    refused = cli("restore", "saved.db", ok=False, input="n\n")
    assert "Stop the bot" in refused.output
    out = cli("restore", "saved.db", "--yes")
    assert "restored from saved.db" in out.output
    with closing(sqlite3.connect(live)) as conn:
        assert conn.execute("SELECT count(*) FROM unit WHERE code = 'KT'").fetchone()[0] == 1
    kept = list(live.parent.glob(f"{live.stem}.before-restore-*.db"))
    assert len(kept) == 1
    with closing(sqlite3.connect(kept[0])) as conn:
        assert conn.execute("SELECT count(*) FROM unit WHERE code = 'KT'").fetchone()[0] == 0


def test_restore_refuses_a_file_that_is_not_a_thidua_database(cli, tmp_path):
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert "not" in cli("restore", "junk.db", "--yes", ok=False).output
    with closing(sqlite3.connect(tmp_path / "other.db")) as conn:
        conn.execute("CREATE TABLE x (y)")
    assert "not a thidua database" in cli("restore", "other.db", "--yes", ok=False).output


def test_a_backup_holding_sealed_ballots_says_so(cli):
    with closing(sqlite3.connect(db_file(cli.url))) as conn:
        conn.execute(
            "INSERT INTO voting_round (round_id, scope, state, rules, opened_early, created_at)"
            " VALUES (1, 'round', 'open', '{}', 0, '2026-12-07 08:00:00')"
        )
        conn.commit()
    out = cli("backup", "during-the-vote.db")
    assert "holds the ballots of 1 vote" in out.output and "VOTE_SECRET" in out.output


def test_backup_of_postgresql_points_to_pg_dump_without_the_password(cli):
    url = "postgresql+asyncpg://thidua:hunter2-secret@db.internal:5433/thidua"
    out = cli("backup", ok=False, url=url)
    assert "pg_dump -Fc -h db.internal -p 5433 -d thidua" in out.output
    assert "hunter2" not in out.output
