"""Demo data for the offline console: the example org, a roster, and people in every role, already joined.

Idempotent: units are matched by code (an existing unit is left as it is), people by their HR id (DEMO-xx);
running it again adds nothing. The Telegram ids are fake (9000000xx): these people exist only in the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.roles import Role
from bot.text import search_key
from storage.models import AuditEntry, Person, PersonRole, Unit

if TYPE_CHECKING:
    from storage.models.plan import PlanSchoolYear

ORG_FILE = Path(__file__).resolve().parents[2] / "plans" / "org.yaml"
FALLBACK_UNITS: list[dict[str, Any]] = [
    {"code": "TCHC", "name": "Phòng Tổ chức – Hành chính", "kind": "phong"},
    {"code": "KHTC", "name": "Phòng Kế hoạch – Tài chính", "kind": "phong"},
    {"code": "DT", "name": "Phòng Đào tạo", "kind": "phong"},
    {"code": "CD", "name": "Công đoàn trường", "kind": "doan_the"},
    {"code": "BGH", "name": "Ban Giám hiệu", "kind": "phong", "example": True},
    {"code": "KCNTT", "name": "Khoa Công nghệ thông tin", "kind": "khoa", "example": True},
]
FAKE_TID = 900_000_000
PLAN_FILES = [ORG_FILE.parent / "2021-2025.yaml", ORG_FILE.parent / "2026-2030.example.yaml"]


@dataclass(frozen=True)
class DemoPerson:
    n: int
    name: str
    unit: str
    roles: tuple[Role, ...]
    joined: bool = True
    position: str | None = None


PEOPLE = (
    DemoPerson(1, "Nguyễn Văn An", "TCHC", (Role.STAFF, Role.ADMIN), position="Chuyên viên CNTT"),
    DemoPerson(2, "Trần Thị Lan", "TCHC", (Role.STAFF, Role.SECRETARY), position="Trưởng phòng TC-HC"),
    DemoPerson(3, "Lê Văn Cường", "BGH", (Role.STAFF, Role.PRINCIPAL, Role.COUNCIL), position="Hiệu trưởng"),
    DemoPerson(4, "Phạm Thị Dung", "KCNTT", (Role.STAFF, Role.UNIT_HEAD), position="Trưởng khoa"),
    DemoPerson(5, "Hoàng Văn Em", "KCNTT", (Role.STAFF, Role.DEPUTY_HEAD), position="Phó trưởng khoa"),
    DemoPerson(6, "Nguyễn Thị Hoa", "KCNTT", (Role.STAFF,), position="Giảng viên"),
    DemoPerson(7, "Vũ Văn Hải", "DT", (Role.STAFF, Role.COUNCIL), position="Trưởng phòng Đào tạo"),
    DemoPerson(8, "Bùi Thị Hương", "CD", (Role.STAFF, Role.UNION), position="Chủ tịch Công đoàn"),
    DemoPerson(9, "Đặng Văn Khoa", "KHTC", (Role.STAFF, Role.FINANCE), position="Kế toán trưởng"),
    DemoPerson(10, "Ngô Thị Mai", "KCNTT", (Role.STAFF,), joined=False, position="Giảng viên"),
    DemoPerson(11, "Lý Văn Nam", "KCNTT", (Role.STAFF,), joined=False, position="Giảng viên"),
    DemoPerson(12, "Đỗ Thị Quyên", "TCHC", (Role.STAFF,), joined=False, position="Văn thư"),
)


def org_units(path: Path = ORG_FILE) -> list[dict[str, Any]]:
    """The units of plans/org.yaml; a few built-in ones when the file is missing or unreadable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        units = [u for u in data["units"] if isinstance(u, dict) and u.get("code") and u.get("name")]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return FALLBACK_UNITS
    return units or FALLBACK_UNITS


async def _load(s: AsyncSession, clock: Clock) -> tuple[int, int]:
    units = {u.code: u for u in (await s.scalars(select(Unit))).all()}
    specs = org_units()
    new_units = 0
    for spec in specs:
        code = str(spec["code"])
        if code not in units:
            units[code] = Unit(
                code=code,
                name=str(spec["name"]),
                kind=str(spec.get("kind") or "phong"),
                is_example=bool(spec.get("example", False)),
            )
            s.add(units[code])
            new_units += 1
    await s.flush()
    for spec in specs:
        parent = spec.get("parent")
        unit = units[str(spec["code"])]
        if parent and parent in units and unit.parent_id is None:
            unit.parent_id = units[parent].id
    fallback = units.get("TCHC") or next(iter(units.values()))
    now, today = clock.now(), clock.today()
    known = set((await s.scalars(select(Person.hr_id).where(Person.hr_id.like("DEMO-%")))).all())
    new_people = 0
    for dp in PEOPLE:
        hr_id = f"DEMO-{dp.n:02d}"
        if hr_id in known:
            continue
        unit = units.get(dp.unit, fallback)
        tid = FAKE_TID + dp.n if dp.joined else None
        if tid is not None and await s.scalar(select(Person.id).where(Person.telegram_id == tid)):
            tid = None  # that fake id is taken already: leave this one unlinked
        person = Person(
            full_name=dp.name,
            name_search=search_key(dp.name),
            unit_id=unit.id,
            position=dp.position,
            hr_id=hr_id,
            telegram_id=tid,
            language="vi",
            source="roster",
            joined_at=now if tid else None,
            created_at=now,
        )
        for role in dp.roles:
            if role is Role.DEPUTY_HEAD:
                person.roles.append(
                    PersonRole(
                        role=role.value,
                        unit_id=unit.id,
                        valid_from=today,
                        valid_to=today + timedelta(days=30),
                    )
                )
            else:
                scoped = role in (Role.STAFF, Role.UNIT_HEAD)
                person.roles.append(PersonRole(role=role.value, unit_id=unit.id if scoped else None))
        s.add(person)
        new_people += 1
    if new_units or new_people:
        s.add(
            AuditEntry(
                at=now,
                actor_id=None,
                action="demo.load",
                object_type="demo",
                object_id=None,
                before=None,
                after={"units": new_units, "people": new_people},
            )
        )
    return new_units, new_people


async def load_demo(world_or_sessionmaker: Any, clock: Clock) -> tuple[int, int]:
    """Load the demo into the world's (or a sessionmaker's) database; returns (units, people) added."""
    sessionmaker: async_sessionmaker[AsyncSession] = getattr(
        world_or_sessionmaker, "sessionmaker", world_or_sessionmaker
    )
    async with sessionmaker() as s:
        added = await _load(s, clock)
        await s.commit()
    await _load_plans(sessionmaker, clock)
    # each feature's demo rows in a transaction of their own, in the order they build on each other
    features = (_load_registrations, _load_good_deeds, _load_nominations, _load_channels, _load_reminders)
    for load_feature in features:
        async with sessionmaker() as s:
            await load_feature(s, clock)
            await s.commit()
    return added


# (chat id, type, title, purpose, unit code, active, reason): the union's group, the college's channel and a
# unit group whose binding stopped when the bot was removed (what /channels shows).
DEMO_CHATS = (
    (-1_000_000_900_001, "supergroup", "Công đoàn Trường", "union", None, True, None),
    (-1_000_000_900_002, "channel", "Tin thi đua – khen thưởng", "college", None, True, None),
    (-1_000_000_900_003, "supergroup", "Khoa Công nghệ thông tin", "unit", "KCNTT", False, "removed"),
)


DEMO_POST = "<b>Thông báo</b>\nCông đoàn Trường tổ chức tham quan, học tập kinh nghiệm tại Khoa Du lịch."


async def _load_channels(s: AsyncSession, clock: Clock) -> int:
    """Bound chats, and a post of the union's scheduled for next week (its /announce lists it)."""
    from storage.models.channels import Broadcast, ChatBinding

    union = await s.scalar(select(Person).where(Person.hr_id == "DEMO-08"))
    units = {u.code: u for u in (await s.scalars(select(Unit))).all()}
    now, added = clock.now(), 0
    for chat_id, kind, title, purpose, unit, active, reason in DEMO_CHATS:
        if await s.scalar(select(ChatBinding.id).where(ChatBinding.chat_id == chat_id)) is not None:
            continue
        unit_id = units[unit].id if unit in units else None
        s.add(
            ChatBinding(
                chat_id=chat_id,
                chat_type=kind,
                title=title,
                purpose=purpose if unit is None or unit_id else "college",
                unit_id=unit_id,
                active=active,
                added_by=union.id if union else None,
                bound_by=union.id if union else None,
                retired_reason=reason,
                created_at=now,
                updated_at=now,
                version=1,
            )
        )
        added += 1
    await s.flush()
    group = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == DEMO_CHATS[0][0]))
    if union is not None and union.telegram_id and group is not None and added:
        s.add(
            Broadcast(
                created_by=union.id,
                sender_chat_id=union.telegram_id,
                source="text",
                text=DEMO_POST,
                targets={"chats": [group.id], "staff": False, "unit": None},
                state="scheduled",
                scheduled_at=now + timedelta(days=7),
                round=0,
                created_at=now,
            )
        )
    return added


async def _load_reminders(s: AsyncSession, clock: Clock) -> int:
    """The demo round's review meeting has a place, as the secretary would set it in /reminders, and one
    demo person has muted the meetings' announcements (so /reminders shows who muted what)."""
    from storage.models.reminder import ReminderMute

    round_ = await _demo_round(s, clock)
    if round_ is not None and round_.ceremony_place is None:
        round_.ceremony_place = "Hội trường tầng 2, Nhà hiệu bộ"
    person_id = await s.scalar(select(Person.id).where(Person.hr_id == "DEMO-05"))
    if person_id is None:
        return 0
    if await s.scalar(select(ReminderMute.id).where(ReminderMute.person_id == person_id)) is None:
        s.add(ReminderMute(person_id=person_id, kind="ceremony", set_at=clock.now()))
        return 1
    return 0


async def _load_plans(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    """The shipped plans (2021–2025 and the 2026–2030 example); reloading them changes nothing."""
    from bot.config import Settings
    from bot.context import Ctx
    from bot.identity import IdentityCache
    from bot.plan.loader import parse_plan
    from bot.services.plan import PlanService
    from storage.uow import UnitOfWork

    for path in PLAN_FILES:
        text = path.read_text(encoding="utf-8")
        async with UnitOfWork(sessionmaker) as uow:
            ctx = Ctx(uow, clock, IdentityCache(), Settings())
            await PlanService(ctx).load(parse_plan(text, str(path)), text, path, announce=False)


# -- registrations and acknowledgements (issue 11): /status and /pending have something to show -------------
@dataclass(frozen=True)
class DemoRegistration:
    n: int  # the person (DemoPerson.n)
    state: str
    title: str  # a commendation code of the plan
    collective: bool = False  # the person's unit's collective registration (the person is its head)
    decided_by: int | None = None  # DemoPerson.n
    reason: str | None = None
    earlier: bool = False  # in the school year before the current one


REGISTRATIONS = (
    DemoRegistration(6, "submitted", "lao_dong_tien_tien"),  # waits for the head of KCNTT (/pending)
    DemoRegistration(4, "submitted", "chien_si_thi_dua_co_so"),  # a head's own: waits for the secretary
    DemoRegistration(
        4, "submitted", "tap_the_lao_dong_tien_tien", collective=True
    ),  # KCNTT, for the secretary
    DemoRegistration(7, "endorsed", "lao_dong_tien_tien", decided_by=2),  # DT has no head: the secretary's
    DemoRegistration(
        9, "returned", "chien_si_thi_dua_co_so", decided_by=2, reason="Đề nghị bổ sung sáng kiến cụ thể."
    ),
    DemoRegistration(8, "withdrawn", "lao_dong_tien_tien"),
    DemoRegistration(1, "endorsed", "lao_dong_tien_tien", decided_by=2),
    DemoRegistration(6, "endorsed", "lao_dong_tien_tien", decided_by=4, earlier=True),  # Hoa's history
)
ACKNOWLEDGED = (1, 2, 4, 6, 7)  # DemoPerson.n who have read the current plan
DEMO_COMMITMENTS = (
    "Hoàn thành xuất sắc nhiệm vụ được giao; tham gia đầy đủ các phong trào thi đua của trường."
)


async def _load_registrations(s: AsyncSession, clock: Clock) -> int:
    """Registrations in every state, in the current school year (else the latest loaded), and some
    acknowledgements of the current period. Rows already there are left alone."""
    from storage.models.plan import PlanSchoolYear

    today, now = clock.today(), clock.now()
    years = list((await s.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.start))).all())
    current = next((y for y in years if y.start <= today <= y.end), years[-1] if years else None)
    if current is None:
        return 0
    earlier = next((y for y in reversed(years) if y.end < current.start), None)
    people = {
        int(p.hr_id[5:]): p
        for p in (await s.scalars(select(Person).where(Person.hr_id.like("DEMO-%")))).all()
        if p.hr_id
    }
    added = 0
    for spec in REGISTRATIONS:
        year = earlier if spec.earlier else current
        person = people.get(spec.n)
        if year is None or person is None or person.unit_id is None:
            continue
        added += await _load_registration(s, spec, year, person, people, now)
    await _load_acknowledgements(s, current.period_id, people, now)
    return added


async def _load_registration(
    s: AsyncSession,
    spec: DemoRegistration,
    year: PlanSchoolYear,
    person: Person,
    people: dict[int, Person],
    now: datetime,
) -> int:
    """One demo registration with its movement, unless it is there already (or the plan lacks its title):
    how many were added (0 or 1)."""
    from storage.models.plan import PlanCommendation, PlanMovement
    from storage.models.registration import (
        Registration,
        RegistrationMovement,
        RegistrationSubject,
        owner_key,
    )

    subject = RegistrationSubject.COLLECTIVE if spec.collective else RegistrationSubject.INDIVIDUAL
    owner = owner_key(subject, None if spec.collective else person.id, person.unit_id)
    found = await s.scalar(
        select(Registration.id).where(Registration.school_year_id == year.id, Registration.owner == owner)
    )
    title = await s.scalar(
        select(PlanCommendation).where(
            PlanCommendation.period_id == year.period_id, PlanCommendation.code == spec.title
        )
    )
    movement = await s.scalar(
        select(PlanMovement).where(PlanMovement.period_id == year.period_id).order_by(PlanMovement.position)
    )
    if found is not None or title is None or movement is None:
        return 0
    decider = people.get(spec.decided_by) if spec.decided_by else None
    row = Registration(
        school_year_id=year.id,
        subject=subject.value,
        owner=owner,
        person_id=None if spec.collective else person.id,
        unit_id=person.unit_id,
        title_id=title.id,
        movement_ids=[movement.id],
        commitments=DEMO_COMMITMENTS,
        state=spec.state,
        version=1,
        return_reason=spec.reason,
        submitted_by=person.id,
        submitted_at=now,
        decided_at=(year.registration_closes_at if spec.earlier else now) if decider else None,
        decided_by=decider.id if decider else None,
        created_at=now,
        updated_at=now,
    )
    s.add(row)
    await s.flush()
    s.add(RegistrationMovement(registration_id=row.id, movement_id=movement.id))
    return 1


async def _load_acknowledgements(
    s: AsyncSession, period_id: int, people: dict[int, Person], now: datetime
) -> None:
    from storage.models.registration import PlanAcknowledgement

    for n in ACKNOWLEDGED:
        person = people.get(n)
        if person is None:
            continue
        exists = await s.scalar(
            select(PlanAcknowledgement.id).where(
                PlanAcknowledgement.period_id == period_id, PlanAcknowledgement.person_id == person.id
            )
        )
        if exists is None:
            s.add(PlanAcknowledgement(period_id=period_id, person_id=person.id, acknowledged_at=now))


# -- nominations (issue 12): /nominations, /pending and the nominee's /status have something to show --------
@dataclass(frozen=True)
class DemoNomination:
    n: int  # the nominee (DemoPerson.n); for a collective one, a person of the unit
    title: str  # a commendation code the round allows
    state: str = "submitted"
    report: str = "missing"
    collective: bool = False
    by: int = 4  # the nominator (DemoPerson.n)


NOMINATIONS = (
    DemoNomination(6, "lao_dong_tien_tien", report="submitted"),  # waits in the KCNTT head's /pending
    DemoNomination(5, "lao_dong_tien_tien", report="accepted"),
    DemoNomination(10, "giay_khen_hieu_truong"),  # not joined: the head writes the report
    DemoNomination(4, "tap_the_lao_dong_tien_tien", collective=True),
    DemoNomination(7, "lao_dong_tien_tien", state="withdrawn", by=2),
)
DEMO_SUMMARY = (
    "Hoàn thành xuất sắc nhiệm vụ giảng dạy; chủ trì đề tài nghiên cứu cấp trường; tích cực tham gia "
    "các phong trào thi đua và hoạt động của Công đoàn."
)


async def _demo_round(s: AsyncSession, clock: Clock) -> Any:
    """The round taking nominations now, else the latest whose nominations have opened."""
    from storage.models.plan import PlanRound

    now = clock.now()
    rounds = list(
        (
            await s.scalars(
                select(PlanRound)
                .where(PlanRound.nominations_open_at <= now)
                .order_by(PlanRound.nominations_open_at)
            )
        ).all()
    )
    open_now = [r for r in rounds if now <= r.nominations_close_at]
    return (open_now or rounds or [None])[-1]


async def _load_nominations(s: AsyncSession, clock: Clock) -> int:
    """A few nominations in several states in the demo's round; rows already there are left alone."""
    from storage.models.nomination import Nomination
    from storage.models.plan import PlanCommendation
    from storage.models.registration import owner_key

    round_ = await _demo_round(s, clock)
    if round_ is None:
        return 0
    people = {
        int(p.hr_id[5:]): p
        for p in (await s.scalars(select(Person).where(Person.hr_id.like("DEMO-%")))).all()
        if p.hr_id
    }
    now, added = clock.now(), 0
    for spec in NOMINATIONS:
        person, by = people.get(spec.n), people.get(spec.by)
        title = await s.scalar(
            select(PlanCommendation).where(
                PlanCommendation.period_id == round_.period_id, PlanCommendation.code == spec.title
            )
        )
        if person is None or person.unit_id is None or title is None or spec.title not in round_.nominable:
            continue
        subject = "collective" if spec.collective else "individual"
        owner = owner_key(subject, person.id, person.unit_id)
        where = (
            Nomination.round_id == round_.id,
            Nomination.owner == owner,
            Nomination.commendation_id == title.id,
        )
        if await s.scalar(select(Nomination.id).where(*where)) is not None:
            continue
        s.add(
            Nomination(
                round_id=round_.id,
                subject=subject,
                owner=owner,
                person_id=None if spec.collective else person.id,
                unit_id=person.unit_id,
                commendation_id=title.id,
                summary=DEMO_SUMMARY,
                state=spec.state,
                report_state=spec.report,
                report_text=DEMO_SUMMARY if spec.report != "missing" else None,
                version=1,
                created_by=by.id if by else None,
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    return added


# -- good deeds (issue 12): /gooddeeds, the head's /pending and nominations have something to show ---------
@dataclass(frozen=True)
class DemoGoodDeed:
    about: int  # the person concerned (DemoPerson.n); 0 with `unit` for a unit
    reporter: int
    text: str
    state: str = "verified"
    unit: str | None = None
    anonymous: bool = False
    reason: str | None = None


GOOD_DEEDS = (
    DemoGoodDeed(
        6, 5, "Cô Hoa ở lại sau giờ dạy, kèm thêm cho 12 sinh viên yếu chuẩn bị thi lại môn Lập trình cơ bản."
    ),
    DemoGoodDeed(
        5,
        6,
        "Thầy Em nhặt được ví của một sinh viên có hơn 2 triệu đồng và giấy tờ, đã trả lại tận tay.",
        anonymous=True,
    ),
    DemoGoodDeed(
        0, 4, "Khoa tổ chức quyên góp sách, áo ấm gửi học sinh vùng cao huyện Khánh Sơn.", unit="KCNTT"
    ),
    DemoGoodDeed(
        6, 7, "Cô Hoa hỗ trợ Phòng Đào tạo nhập điểm giúp trong đợt cao điểm cuối học kỳ.", state="submitted"
    ),
    DemoGoodDeed(
        5,
        6,
        "Thầy Em đi họp thay đồng nghiệp.",
        state="rejected",
        reason="Đây là nhiệm vụ được phân công, chưa phải việc tốt cần biểu dương.",
    ),
)


async def _load_good_deeds(s: AsyncSession, clock: Clock) -> int:
    """Good deeds in every state in the current period; rows already there (same text) are left alone."""
    from storage.models.good_deed import GoodDeed
    from storage.models.plan import PlanSchoolYear

    today = clock.today()
    year = await s.scalar(
        select(PlanSchoolYear).where(PlanSchoolYear.start <= today, PlanSchoolYear.end >= today)
    )
    if year is None:
        return 0
    people = {
        int(p.hr_id[5:]): p
        for p in (await s.scalars(select(Person).where(Person.hr_id.like("DEMO-%")))).all()
        if p.hr_id
    }
    units = {u.code: u for u in (await s.scalars(select(Unit))).all()}
    now, added = clock.now(), 0
    for spec in GOOD_DEEDS:
        person, reporter = people.get(spec.about), people.get(spec.reporter)
        unit_id = units[spec.unit].id if spec.unit in units else (person.unit_id if person else None)
        if reporter is None or unit_id is None or (spec.unit is None and person is None):
            continue
        if await s.scalar(select(GoodDeed.id).where(GoodDeed.text == spec.text)) is not None:
            continue
        decided = spec.state != "submitted"
        s.add(
            GoodDeed(
                period_id=year.period_id,
                subject="unit" if spec.unit else "person",
                person_id=None if spec.unit else person.id,  # type: ignore[union-attr]
                unit_id=unit_id,
                reporter_id=reporter.id,
                anonymous=spec.anonymous,
                text=spec.text,
                happened_on=today,
                state=spec.state,
                reason=spec.reason,
                decided_by=people[4].id if decided and 4 in people else None,
                decided_at=now if decided else None,
                created_at=now,
                version=1,
            )
        )
        added += 1
    return added
