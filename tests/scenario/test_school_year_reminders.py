"""A school year of reminders with the shipped 2026–2030 example plan, the clock moved day by day (issue 13).

Six people in three units. Everyone but Bình reads the plan at once; Hoa, Minh, Dung and Lan register in the
first week, An only after the first reminder, Bình never. Each day the due work runs at 07:00, 07:30 (the
heads' summary), 08:00 (REMINDER_DAY_AT: what is counted in days), 20:30, 20:59 and 21:00, as the minute's
scheduler would around those times. At the end: who got
which reminder on which day, and nobody who had acted got a reminder of it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from tests.scenario.test_school_year_registration import register

PLAN = "plans/2026-2030.example.yaml"
START = date(2026, 9, 1)
END = date(2027, 7, 31)
TICKS = (time(7, 0), time(7, 30), time(8, 0), time(20, 30), time(20, 59), time(21, 0))
KINDS = {
    "chưa xác nhận đã đọc": "acknowledge",
    "chưa đăng ký thi đua năm học": "register",
    "Đơn vị của anh/chị còn": "summary",
    "Hạn đề nghị khen thưởng": "nominations",
    "Việc bỏ phiếu": "voting",
    "Lễ khen thưởng": "ceremony",
    "báo cáo năm học": "province",
}


def kind_of(text: str) -> str | None:
    return next((k for marker, k in KINDS.items() if marker in text), None)


def days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


async def test_a_school_year_of_reminders(world: World) -> None:
    world.clock.set(datetime.combine(START, time(8, 0), tzinfo=VN_TZ))
    lan = await world.secretary("Trần Thị Lan")
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    an, hoa = await world.staff("Lê Văn An", unit="KCNTT"), await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    dung = await world.unit_head("Phạm Thị Dung", unit="KDL")
    binh = await world.staff("Đỗ Văn Bình", unit="KDL")
    people = [lan, minh, an, hoa, dung, binh]
    await world.load_plan(PLAN)
    await world.drain_outbox()
    for p in people:
        if p is not binh:
            await p.click("Tôi đã đọc và quán triệt kế hoạch")

    got: dict[str, list[tuple[date, str]]] = defaultdict(list)
    seen = {p.name: len(p.texts()) for p in people}
    day = START
    while day <= END:
        if day == date(2026, 9, 8):
            for p, head in ((hoa, False), (minh, True), (dung, True), (lan, False)):
                await register(p, head=head)
        if day == date(2026, 10, 25):
            await register(an)
        for at in TICKS:
            world.clock.set(datetime.combine(day, at, tzinfo=VN_TZ))
            await world.run_due()
            await world.drain_outbox(wait=False)
        for p in people:
            for text in p.texts()[seen[p.name] :]:
                if (kind := kind_of(text)) is not None:
                    got[p.name].append((day, kind))
            seen[p.name] = len(p.texts())
        day += timedelta(days=1)

    def of(p: Chatter, kind: str) -> list[date]:
        return [d for d, k in got[p.name] if k == kind]

    # -- reading the plan (16/10, 3 days before: 13/10 at 08:00): only Bình, who has not ---------------------
    assert {p.name: of(p, "acknowledge") for p in people if of(p, "acknowledge")} == {
        binh.name: [date(2026, 10, 13)]
    }
    # -- registration (30/10; 7 days and 1 day before): An once, before he registered; Bình twice ------------
    assert of(an, "register") == [date(2026, 10, 23)]
    assert of(binh, "register") == [date(2026, 10, 23), date(2026, 10, 29)]
    for p in (lan, minh, hoa, dung):
        assert of(p, "register") == [], p.name  # they had registered: nothing
    # -- the heads: one summary a day while their unit has something pending --------------------------------
    registration = days(date(2026, 10, 23), date(2026, 10, 30))
    nominations = days(date(2027, 5, 24), date(2027, 5, 31))
    assert set(of(minh, "summary")) == registration | nominations
    assert (
        set(of(dung, "summary")) == days(date(2026, 10, 13), date(2026, 10, 16)) | registration | nominations
    )
    for p in (minh, dung):
        assert len(of(p, "summary")) == len(set(of(p, "summary"))), "one a day"
    for p in (lan, an, hoa, binh):
        assert of(p, "summary") == []
    # -- the secretary: nominations (31/05), voting close (18/06: 2 days and 3 hours), the yearly report -----
    assert of(lan, "nominations") == [date(2027, 5, 24), date(2027, 5, 29)]
    assert of(lan, "voting") == [date(2027, 6, 16), date(2027, 6, 18)]  # 2 days: 16/06 at 08:00; 3 h: 20:59
    assert of(lan, "province") == [date(2027, 7, 24)]
    # voting's "pending" waits for the voting feature: no staff member is told anything about it
    for p in (minh, an, hoa, dung, binh):
        assert of(p, "voting") == [] and of(p, "nominations") == []
    # -- the award ceremony (09/07, 3 days before): everyone, once -----------------------------------------
    for p in people:
        assert of(p, "ceremony") == [date(2027, 7, 6)], p.name
