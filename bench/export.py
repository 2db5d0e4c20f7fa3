"""Export benchmark (issue 21): 10,000 registrations to .xlsx, the database query included.

    .venv/bin/python -m bench.export [--n 10000]

Untimed first: a temporary SQLite database is migrated, plans/2021-2025.yaml loaded, and N people with one
registration each inserted (20 units). Then, timed, as the system (scope all): the kind's query in one unit of
work and the build (openpyxl's write-only mode, in a thread), exactly as the worker and `thidua export` run
them. One line at the end: `export N rows in T s, peak RSS M MB, R rows/s`. The goal: under 3 s and 200 MB on
2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "2021-2025.yaml"


async def seed(sessionmaker, n: int) -> None:
    from sqlalchemy import select

    from storage.models import Person, Registration, Unit
    from storage.models.plan import PlanCommendation, PlanMovement, PlanSchoolYear

    now = datetime.now(UTC)
    async with sessionmaker() as s:
        year = (await s.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.start))).first()
        title = (
            await s.scalars(select(PlanCommendation).where(PlanCommendation.subject == "individual"))
        ).first()
        movement = (await s.scalars(select(PlanMovement))).first()
        units = [Unit(code=f"U{i:02d}", name=f"Khoa thứ {i}", kind="khoa") for i in range(20)]
        s.add_all(units)
        await s.flush()
        people = [
            Person(full_name=f"Nguyễn Văn {i}", name_search=f"nguyen van {i}", unit_id=units[i % 20].id,
                   created_at=now)
            for i in range(n)
        ]  # fmt: skip
        s.add_all(people)
        await s.flush()
        s.add_all(
            Registration(
                school_year_id=year.id, subject="individual", owner=f"p{p.id}", person_id=p.id,
                unit_id=p.unit_id, title_id=title.id, movement_ids=[movement.id],
                commitments=f"=Cam kết hoàn thành xuất sắc nhiệm vụ năm học, số {p.id}", state="endorsed",
                submitted_by=p.id, submitted_at=now, decided_at=now, created_at=now, updated_at=now,
            )
            for p in people
        )  # fmt: skip
        await s.commit()


async def run(n: int) -> tuple[float, int, int]:
    import bot.exports.kinds  # noqa: F401
    from bot.clock import Clock
    from bot.config import Settings
    from bot.context import Ctx
    from bot.identity import IdentityCache
    from bot.services.exports import ExportService
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(_env_file=None, database_url=url, bot_token=None)  # type: ignore[call-arg]
        await upgrade(url)
        engine = make_engine(url)
        sessionmaker = make_sessionmaker(engine)
        from bot.plan.loader import parse_plan
        from bot.services.plan import PlanService

        text = PLAN.read_text(encoding="utf-8")
        async with UnitOfWork(sessionmaker) as uow:
            await PlanService(Ctx(uow, Clock(settings.tz), IdentityCache(), settings)).load(
                parse_plan(text, str(PLAN)), text, PLAN
            )
        await seed(sessionmaker, n)
        start = time.perf_counter()
        async with UnitOfWork(sessionmaker) as uow:
            service = ExportService(Ctx(uow, Clock(settings.tz), IdentityCache(), settings))
            kind, f = await service.resolve("registrations")
            data, rows = await service.make(kind, f, "vi")
        took = time.perf_counter() - start
        await engine.dispose()
    return took, rows, len(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    n = parser.parse_args().n
    took, rows, size = asyncio.run(run(n))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    assert rows == n, (rows, n)
    print(f"file {size / 1024 / 1024:.1f} MB", file=sys.stderr)
    print(f"export {rows} rows in {took:.2f} s, peak RSS {peak:.0f} MB, {rows / took:.0f} rows/s")


if __name__ == "__main__":
    main()
