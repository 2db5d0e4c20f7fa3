"""Difficulty rules without the chat: checks, message sizes, counting for the yearly report."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import VN_TZ
from bot.context import Ctx
from bot.identity import IdentityCache
from bot.services.difficulty import (
    FILE_MAX_BYTES,
    DifficultyService,
    Draft,
    FileTooLarge,
    FileTypeNotAllowed,
    ItemView,
    NotSecretary,
    TextTooLong,
    TextTooShort,
    check_document,
    check_text,
)
from bot.text import clip, esc, fair_share
from bot.tghtml import utf16_len, visible_length
from handlers.render.difficulty import answer_for_author, card, reply_for_secretary
from storage.models import Person
from storage.models.difficulty import Difficulty
from storage.repositories.people import to_member
from storage.uow import UnitOfWork


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("a.pdf", "application/pdf"),
        ("a.DOC", "application/msword"),
        ("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("a.docx", "application/octet-stream"),
        ("a.xls", "application/vnd.ms-excel"),
        ("a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("a.jpg", "image/jpeg"),
        ("a.jpeg", None),
        ("a.png", "image/png"),
    ],
)
def test_accepted_file_types(name, mime):
    check_document(name, mime, 1000)


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("setup.exe", "application/x-msdownload"),
        ("a.pdf", "application/x-msdownload"),
        ("a.png", "image/gif"),
        ("a.zip", "application/zip"),
        ("noext", "application/pdf"),
        (None, "application/pdf"),
    ],
)
def test_refused_file_types(name, mime):
    with pytest.raises(FileTypeNotAllowed):
        check_document(name, mime, 1000)


def test_file_size_limit_is_ten_megabytes():
    check_document("a.pdf", "application/pdf", FILE_MAX_BYTES)
    with pytest.raises(FileTooLarge):
        check_document("a.pdf", "application/pdf", FILE_MAX_BYTES + 1)


def test_text_limits_count_characters_after_trimming():
    assert check_text("  " + "ă" * 10 + "  ") == "ă" * 10
    with pytest.raises(TextTooShort):
        check_text(" " + "a" * 9 + " ")
    with pytest.raises(TextTooLong):
        check_text("a" * 2001)


def test_draft_survives_the_conversation_storage():
    draft = Draft(unit_id=3, on_behalf_of_unit=True, text="x" * 20, file_id="F", file_kind="photo")
    assert Draft.from_state(draft.as_state()) == draft


@given(st.text(), st.integers(min_value=1, max_value=500))
def test_clip_never_exceeds_the_limit_and_never_cuts_an_entity(text, limit):
    out = clip(text, limit)
    assert visible_length(out) <= limit  # as Telegram counts: UTF-16 code units of what shows
    if utf16_len(text) <= limit:
        assert out == esc(text)
    assert "&" not in out.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


@given(
    st.lists(st.integers(min_value=0, max_value=5000), max_size=4), st.integers(min_value=0, max_value=5000)
)
def test_fair_share_fits_the_budget_and_keeps_short_parts_whole(lengths, budget):
    limits = fair_share(lengths, budget)
    assert sum(limits) <= budget
    assert all(0 <= lim <= n for lim, n in zip(limits, lengths, strict=True))
    if sum(lengths) <= budget:
        assert limits == lengths


def _worst_item() -> ItemView:
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    item = Difficulty(
        id=123456,
        author_id=1,
        unit_id=1,
        on_behalf_of_unit=True,
        text="&😀" * 1000,  # escapes, and characters counting 2 UTF-16 code units
        file_id="F",
        file_kind="document",
        file_name="<" * 200 + ".pdf",
        topic_kind="movement",
        topic_code="m1",
        state="answered",
        answer="<" * 2000,
        answered_by=2,
        answered_at=now,
        forwarded_at=now,
        principal_reply=">" * 2000,
        principal_reply_by=3,
        created_at=now,
    )
    return ItemView(item, "Nguyễn " * 14, "Phòng " * 33, None, "Lê " * 33, "Võ " * 33)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_messages_fit_telegram_even_for_the_longest_escaped_texts(locale):
    view = _worst_item()
    # Telegram counts the text after the entities are parsed, in UTF-16 code units
    assert visible_length(card(view, locale)) <= 4096
    assert visible_length(card(view, locale, title_key="difficulty-forward-title")) <= 4096
    assert visible_length(answer_for_author(view, locale)) <= 4096
    assert visible_length(reply_for_secretary(view, locale)) <= 4096


# -- with a database ---------------------------------------------------------------------------------------
async def _ctx(world, uow, person_id=None) -> Ctx:
    actor = None
    if person_id is not None:
        person = await uow.session.get(Person, person_id)
        actor = to_member(person, world.clock.today())
    return Ctx(uow, world.clock, IdentityCache(), world.settings, actor)


def _local(y, m, d, hh=12, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


async def test_counts_per_unit_and_state_in_a_date_range_use_local_days(world):
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    nam = await world.staff("Lý Văn Nam", unit="KKT")
    kcntt, kkt = await world.unit("KCNTT"), await world.unit("KKT")
    rows = [
        (hoa, kcntt, "open", _local(2026, 1, 1, 0, 5)),  # first minutes of the range
        (hoa, kcntt, "answered", _local(2026, 6, 1)),
        (hoa, kcntt, "answered", _local(2026, 12, 31, 23, 50)),  # last minutes of the range
        (nam, kkt, "forwarded", _local(2026, 3, 3)),
        (nam, kkt, "open", _local(2025, 12, 31, 23, 59)),  # before
        (nam, kkt, "open", _local(2027, 1, 1, 0, 1)),  # after
    ]
    async with world.session() as s:
        for who, unit, state, at in rows:
            s.add(
                Difficulty(
                    author_id=who.person_id,
                    unit_id=unit.id,
                    on_behalf_of_unit=False,
                    text="x" * 20,
                    state=state,
                    created_at=at,
                )
            )
        await s.commit()
    async with UnitOfWork(world.sessionmaker) as uow:
        counts = await DifficultyService(await _ctx(world, uow)).counts(date(2026, 1, 1), date(2026, 12, 31))
    assert counts == {
        kcntt.id: {"open": 1, "forwarded": 0, "answered": 2},
        kkt.id: {"open": 0, "forwarded": 1, "answered": 0},
    }


async def test_only_a_secretary_may_answer_in_the_service(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    async with world.session() as s:
        s.add(
            Difficulty(
                author_id=hoa.person_id,
                unit_id=None,
                on_behalf_of_unit=False,
                text="x" * 20,
                state="open",
                created_at=world.clock.now(),
            )
        )
        await s.commit()
    [item] = await world.rows(Difficulty)
    async with UnitOfWork(world.sessionmaker) as uow:
        with pytest.raises(NotSecretary):
            await DifficultyService(await _ctx(world, uow, hoa.person_id)).answer(item.id, "Tự trả lời.")
    [item] = await world.rows(Difficulty)
    assert item.state == "open" and item.answer is None
