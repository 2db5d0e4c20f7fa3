"""RegistrationService without Telegram: the window and its extensions, the commitments, the references."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VN_TZ
from bot.context import Ctx
from bot.services.plan import references
from bot.services.registration import (
    CommitmentsEmpty,
    CommitmentsOnlyEmoji,
    CommitmentsTooLong,
    RegistrationService,
    check_commitments,
    fmt_when,
)
from handlers.render.registration import TEXTS
from storage.models import Person
from storage.models.registration import Registration, RegistrationMovement
from storage.repositories.people import to_member
from storage.uow import UnitOfWork

PLAN = "plans/2021-2025.yaml"


def test_commitments_rules():
    with pytest.raises(CommitmentsEmpty):
        check_commitments("  \n ")
    with pytest.raises(CommitmentsOnlyEmoji):
        check_commitments("🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉")
    with pytest.raises(CommitmentsTooLong) as e:
        check_commitments("a" * 1501)
    assert e.value.params == {"length": 1501, "max": 1500}
    assert check_commitments("  Hoàn thành tốt nhiệm vụ  ") == "Hoàn thành tốt nhiệm vụ"


def test_the_house_date_format():
    assert fmt_when(datetime(2026, 12, 9, 8, 0, tzinfo=VN_TZ), "vi") == "08:00 ngày 09/12/2026"
    assert fmt_when(datetime(2026, 12, 9, 8, 0, tzinfo=VN_TZ), "en") == "09/12/2026 08:00"
    assert fmt_when(datetime(2027, 6, 18, 23, 59, 59, tzinfo=VN_TZ), "vi") == "hết ngày 18/06/2027"


def test_a_plan_reload_cannot_drop_what_a_registration_points_at():
    columns = {(str(r.column), r.target) for r in references()}
    assert ("Registration.title_id", "commendation") in columns
    assert ("Registration.school_year_id", "school_year") in columns
    assert ("RegistrationMovement.movement_id", "movement") in columns
    assert Registration and RegistrationMovement


async def test_the_window_honours_the_college_and_the_unit_extension(world):
    world.clock.set(datetime(2024, 11, 2, 9, 0, tzinfo=VN_TZ))
    await world.load_plan(PLAN)
    lan = await world.secretary("Lê Thị Lan")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    an = await world.staff("Phạm Văn An", unit="KT")

    async def service(chatter) -> tuple[UnitOfWork, RegistrationService]:
        uow = UnitOfWork(world.sessionmaker)
        await uow.__aenter__()
        person = await uow.session.get(Person, chatter.person_id)
        ctx = Ctx(
            uow, world.clock, world.dp["identity"], world.settings, to_member(person, world.clock.today())
        )
        return uow, RegistrationService(ctx, texts=TEXTS)

    uow, svc = await service(lan)
    window = await svc.window(person_id=hoa.person_id)
    assert not window.open and not window.not_yet and not window.extended
    kcntt = (await svc.people.get(hoa.person_id)).unit_id
    await svc.extend(kcntt, date(2024, 11, 10))
    await uow.__aexit__(None, None, None)

    uow, svc = await service(an)
    assert (await svc.window(person_id=hoa.person_id)).open
    assert not (await svc.window(person_id=an.person_id)).open
    await uow.__aexit__(None, None, None)

    uow, svc = await service(lan)
    await svc.extend(None, date(2024, 11, 5))  # the college: later than the plan, earlier than the unit's
    await uow.__aexit__(None, None, None)
    uow, svc = await service(an)
    assert (await svc.window(person_id=an.person_id)).open
    world.clock.set(datetime(2024, 11, 7, 9, 0, tzinfo=VN_TZ))
    assert not (await svc.window(person_id=an.person_id)).open
    assert (await svc.window(person_id=hoa.person_id)).open
    await uow.__aexit__(None, None, None)
