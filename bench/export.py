"""Export benchmark (issue 21): 10,000 nominations to .xlsx, the database query included.

    .venv/bin/python -m bench.export [--n 10000] [--kind nominations|registrations]

Untimed first: a temporary SQLite database is migrated, plans/2021-2025.yaml loaded, and N people inserted
(20 units), each with one nomination (the default, the issue's kind: the first round of the plan, an
individual title it allows, a summary of about 400 characters) or one registration (`--kind registrations`),
as rows. Then, timed, as the system (scope all): the kind's query in one unit of work (nominations: filtered
on that round, as a secretary asks) and the build (XlsxWriter, in a thread), exactly as the worker and
`thidua export` run them. One line at the end: `export N rows in T s, peak RSS M MB, R rows/s`. The goal:
under 3 s and 200 MB on 2 cores.
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


KINDS = ("nominations", "registrations")
SUMMARY = (
    "Đồng chí {i} hoàn thành xuất sắc nhiệm vụ năm học: giảng dạy đủ định mức, 100% học phần được người học "
    "đánh giá tốt; chủ nhiệm một đề tài khoa học cấp trường đã nghiệm thu loại xuất sắc; công bố hai bài báo "
    "trên tạp chí trong nước; hướng dẫn sinh viên nghiên cứu khoa học đạt giải Ba cấp Bộ; tích cực tham gia "
    "các phong trào thi đua, hoạt động của Công đoàn và Đoàn thanh niên; chấp hành tốt chủ trương của Đảng, "
    "chính sách, pháp luật của Nhà nước và quy chế của đơn vị."
)


async def _people(s, n: int, now: datetime) -> list:
    from storage.models import Person, Unit

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
    return people


async def seed_nominations(sessionmaker, n: int) -> str:
    """N nominations in the plan's first round (by its voting close), one per person; the round's code."""
    from sqlalchemy import select

    from storage.models import Nomination
    from storage.models.plan import PlanCommendation, PlanRound

    now = datetime.now(UTC)
    async with sessionmaker() as s:
        round_ = (
            await s.scalars(select(PlanRound).order_by(PlanRound.voting_close_at, PlanRound.id))
        ).first()
        title = (
            await s.scalars(
                select(PlanCommendation)
                .where(PlanCommendation.subject == "individual", PlanCommendation.code.in_(round_.nominable))
                .order_by(PlanCommendation.position)
            )
        ).first()
        people = await _people(s, n, now)
        states = ("submitted", "submitted", "submitted", "locked")
        reports = ("missing", "submitted", "accepted", "returned")
        s.add_all(
            Nomination(
                round_id=round_.id, subject="individual", owner=f"p{p.id}", person_id=p.id, unit_id=p.unit_id,
                commendation_id=title.id, summary=SUMMARY.format(i=p.full_name), state=states[p.id % 4],
                report_state=reports[p.id % 4], created_by=p.id, created_at=now, updated_at=now,
            )
            for p in people
        )  # fmt: skip
        code = round_.code
        await s.commit()
    return code


async def seed(sessionmaker, n: int) -> None:
    from sqlalchemy import select

    from storage.models import Registration
    from storage.models.plan import PlanCommendation, PlanMovement, PlanSchoolYear

    now = datetime.now(UTC)
    async with sessionmaker() as s:
        year = (await s.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.start))).first()
        title = (
            await s.scalars(select(PlanCommendation).where(PlanCommendation.subject == "individual"))
        ).first()
        movement = (await s.scalars(select(PlanMovement))).first()
        people = await _people(s, n, now)
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


async def run(n: int, kind: str = "nominations") -> tuple[float, int, int]:
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
        round_code = None
        if kind == "nominations":
            round_code = await seed_nominations(sessionmaker, n)
        else:
            await seed(sessionmaker, n)
        start = time.perf_counter()
        async with UnitOfWork(sessionmaker) as uow:
            service = ExportService(Ctx(uow, Clock(settings.tz), IdentityCache(), settings))
            export, f = await service.resolve(kind, round=round_code)
            data, rows = await service.make(export, f, "vi")
        took = time.perf_counter() - start
        await engine.dispose()
    return took, rows, len(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--kind", choices=KINDS, default="nominations")
    args = parser.parse_args()
    n = args.n
    took, rows, size = asyncio.run(run(n, args.kind))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    assert rows == n, (rows, n)
    print(f"{args.kind}, file {size / 1024 / 1024:.1f} MB", file=sys.stderr)
    print(f"export {rows} rows in {took:.2f} s, peak RSS {peak:.0f} MB, {rows / took:.0f} rows/s")


if __name__ == "__main__":
    main()
