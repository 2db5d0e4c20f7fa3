"""Reminders benchmark: choosing the recipients of one rule among 100,000 staff in 200 units.

    .venv/bin/python -m bench.reminders [--staff 100000] [--units 200] [--backend both|sqlite|postgres]

A ministry running one plan for all its schools (issue 22): `--staff 1000000 --units 2000 --backend postgres`.

Untimed first, on each backend (SQLite, and PostgreSQL when 127.0.0.1:5432 answers): a fresh migrated
database, plans/2026-2030.example.yaml loaded, the staff in their units (every one linked), and an individual
registration for every other one; PostgreSQL's statistics gathered (ANALYZE: autovacuum's in production,
and the plan of a query without them can differ by hours). Then, timed, the best of three: the recipients of
the rule "registration_close → pending" (staff of the college who have not registered), as the reminders' due
work chooses them (bot.services.registration.not_registered: their ids), with the statements counted on the
engine; then, once, reading them all a page at a time as the sending does (`pages` line: not the goal).
It ends with one line: `recipients R of 100000 in T s, Q queries` (the slowest backend's time). The goal
(issue 13, issue 22 with a million staff) is T < 2 s in one query.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "2026-2030.example.yaml"
CHUNK = 5000


def pg_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


async def fill(url: str, staff: int, units: int) -> Any:
    """Migrate, load the plan, add the units, staff and registrations; the registration occurrence."""
    from bot.clock import FakeClock
    from bot.config import Settings
    from bot.context import Ctx
    from bot.identity import IdentityCache
    from bot.plan.loader import parse_plan
    from bot.services.plan import PlanService
    from bot.services.reminder_deadlines import occurrences
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade
    from storage.models import Person, PersonRole, Unit
    from storage.models.plan import PlanCommendation
    from storage.models.registration import Registration
    from storage.uow import UnitOfWork

    await upgrade(url)
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    clock = FakeClock(datetime(2026, 10, 23, 9, 0, tzinfo=UTC))
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    plan_text = PLAN.read_text(encoding="utf-8")
    async with UnitOfWork(sm) as uow:
        await PlanService(Ctx(uow, clock, IdentityCache(), settings)).load(
            parse_plan(plan_text, str(PLAN)), plan_text, PLAN, announce=False
        )
    now = clock.now()
    async with sm() as s:
        await s.execute(
            insert(Unit), [{"code": f"U{i:03d}", "name": f"Đơn vị {i}", "kind": "khoa"} for i in range(units)]
        )
        unit_ids = list((await s.scalars(select(Unit.id).order_by(Unit.id))).all())
        people = [
            {
                "full_name": f"Viên chức {i}",
                "name_search": f"vien chuc {i}",
                "unit_id": unit_ids[i % units],
                "telegram_id": 10_000_000 + i,
                "language": "vi",
                "joined_at": now,
                "created_at": now,
            }
            for i in range(staff)
        ]
        for i in range(0, staff, CHUNK):
            await s.execute(insert(Person), people[i : i + CHUNK])
        ids = list((await s.scalars(select(Person.id).order_by(Person.id))).all())
        roles = [
            {"person_id": pid, "role": "staff", "unit_id": unit_ids[i % units]} for i, pid in enumerate(ids)
        ]
        for i in range(0, staff, CHUNK):
            await s.execute(insert(PersonRole), roles[i : i + CHUNK])
        (sy,) = [o for o in await occurrences(s, now, clock.today()) if o.kind == "registration_close"]
        title = await s.scalar(
            select(PlanCommendation.id).where(PlanCommendation.code == "lao_dong_tien_tien")
        )
        regs = [
            {
                "school_year_id": sy.school_year_id,
                "subject": "individual",
                "owner": f"p{pid}",
                "person_id": pid,
                "unit_id": unit_ids[i % units],
                "title_id": title,
                "movement_ids": [],
                "commitments": "Hoàn thành tốt nhiệm vụ.",
                "state": "submitted",
                "version": 1,
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i, pid in enumerate(ids)
            if i % 2 == 0
        ]
        for i in range(0, len(regs), CHUNK):
            await s.execute(insert(Registration), regs[i : i + CHUNK])
        await s.commit()
    return engine, sm, sy


async def measure(url: str, staff: int, units: int) -> tuple[int, float, int]:
    from bot.services.registration import not_registered
    from bot.services.reminder_audiences import PAGE, recipients

    engine, sm, occ = await fill(url, staff, units)
    if url.startswith("postgresql"):
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    counted = {"n": 0}

    def count(*_: Any) -> None:
        counted["n"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    best, chosen, queries = float("inf"), 0, 0
    for _ in range(3):
        counted["n"] = 0
        async with sm() as s:
            await s.connection()  # the connection is not part of the measure
            counted["n"] = 0
            start = time.perf_counter()
            found = await not_registered(s, occ)
            took = time.perf_counter() - start
        best, chosen, queries = min(best, took), len(found), counted["n"]
    async with sm() as s:
        start = time.perf_counter()
        read = await recipients(s, found, occ.today)
        paged = time.perf_counter() - start
    print(f"  pages: {len(read)} recipients read {PAGE} at a time in {paged:.3f} s")
    event.remove(engine.sync_engine, "before_cursor_execute", count)
    await engine.dispose()
    return chosen, best, queries


async def main(staff: int, units: int, backend: str = "both") -> None:
    results = []
    if backend != "postgres":
        with tempfile.TemporaryDirectory() as tmp:
            r = await measure(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", staff, units)
            print(f"SQLite: recipients {r[0]} of {staff} in {r[1]:.3f} s, {r[2]} queries")
            results.append(r)
    if backend != "sqlite" and pg_up():
        from bench.dispatch import drop_pg, pg_url  # the same temporary database as the dispatch bench

        url, name = await pg_url()
        try:
            r = await measure(url, staff, units)
            print(f"PostgreSQL: recipients {r[0]} of {staff} in {r[1]:.3f} s, {r[2]} queries")
            results.append(r)
        finally:
            await drop_pg(name)
    worst = max(results, key=lambda r: r[1])
    print(f"recipients {worst[0]} of {staff} in {worst[1]:.3f} s, {max(r[2] for r in results)} queries")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--backend", choices=("both", "sqlite", "postgres"), default="both")
    args = parser.parse_args()
    asyncio.run(main(args.staff, args.units, args.backend))
