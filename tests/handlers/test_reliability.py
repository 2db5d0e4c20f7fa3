"""The reliability suite, first part (issue 22): hypothesis-generated updates and callback data against the
real dispatcher, from every kind of person: 0 unhandled errors, 0 apologies ("Xin lỗi, đã có lỗi xảy ra").

Texts are every registered command with arbitrary arguments, `/start` with arbitrary payloads and arbitrary
text (long, control characters, emoji, right-to-left); presses are arbitrary bytes up to 64 and, more
usefully, each CallbackData class of the handlers packed with arbitrary values of its fields' types (ids
of nothing, of other people's objects, negative, huge). The world keeps its state across examples, so
later updates land in the middle of conversations earlier ones started. The example count is modest to
keep CI fast (THIDUA_RELIABILITY_EXAMPLES raises it; the issue's 10,000 is a nightly run).
"""

from __future__ import annotations

import importlib
import logging
import os
import typing
from pathlib import Path

import pytest
from aiogram.filters.callback_data import CallbackData
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import COMMANDS
from handlers import FEATURES

EXAMPLES = int(os.environ.get("THIDUA_RELIABILITY_EXAMPLES", "40"))
PLAN = Path(__file__).resolve().parents[2] / "plans" / "2021-2025.yaml"
APOLOGY = "Xin lỗi, đã có lỗi xảy ra"


def callback_classes() -> list[type[CallbackData]]:
    for name in FEATURES:
        importlib.import_module(f"handlers.{name}")
    found: list[type[CallbackData]] = []
    todo = list(CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("handlers") and getattr(cls, "__prefix__", None):
            found.append(cls)
    return sorted(found, key=lambda c: c.__prefix__)


def field_values(annotation: object) -> st.SearchStrategy[object]:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return st.one_of(*(field_values(a) for a in typing.get_args(annotation) if a is not type(None)))
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.one_of(st.integers(-3, 40), st.integers(-(2**40), 2**40))
    return st.text(st.characters(blacklist_characters=":", blacklist_categories=("Cs",)), max_size=12)


def packed(cls: type[CallbackData]) -> st.SearchStrategy[str]:
    fields = {name: field_values(f.annotation) for name, f in cls.model_fields.items()}

    def pack(values: dict[str, object]) -> str:
        try:
            data = cls(**values).pack()
        except (ValueError, TypeError):
            data = cls.__prefix__ + ":" + ":".join(str(v) for v in values.values())
        return data.encode()[:64].decode(errors="ignore")

    return st.fixed_dictionaries(fields).map(pack)


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300) | st.text(max_size=5000)
COMMAND = st.tuples(st.sampled_from(sorted(COMMANDS)), st.text(max_size=40)).map(lambda c: f"/{c[0]} {c[1]}")
START = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=70).map(lambda p: f"/start {p}")
PRESS = st.one_of(
    st.one_of(*(packed(c) for c in callback_classes())),
    st.binary(max_size=64).map(lambda b: b.decode(errors="ignore")),
)
ACTION = st.tuples(
    st.integers(0, 5),  # who: the people of the world below
    st.one_of(
        st.tuples(st.just("text"), st.one_of(COMMAND, START, TEXT)), st.tuples(st.just("press"), PRESS)
    ),
)


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
async def people(world):
    world.clock.set(world.clock.now())
    await world.load_plan(PLAN)
    return [
        await world.staff("Nguyễn Thị Hoa"),
        await world.unit_head("Trần Văn Minh"),
        await world.secretary("Lê Thị Lan"),
        await world.admin("Nguyễn Văn An"),
        await world.council_member("Phạm Văn Tâm"),
        world.outsider(),
    ]


# What the generated runs found, kept as plain tests (each was an unhandled error).
FOUND = [
    "vr:0:show",  # the results desk answered the press, then could not find the vote and answered again
    "ex:k::0:0:0",  # /export: a unit head's press naming no kind was answered twice
]


@pytest.mark.parametrize("data", FOUND)
async def test_a_press_the_generated_runs_found_is_handled(world, people, data):
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        for person in people:
            await person.press(data)
    finally:
        logging.getLogger().removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []
    assert not any(APOLOGY in t for p in people for t in p.texts())


def test_every_handlers_callback_data_is_generated():
    prefixes = {c.__prefix__ for c in callback_classes()}
    assert {"fg", "pa_ed", "pa_ho"} <= prefixes and len(prefixes) >= 20


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(actions=st.lists(ACTION, min_size=1, max_size=6))
async def test_generated_updates_and_presses_raise_nothing_and_apologise_for_nothing(world, people, actions):
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        for who, (kind, payload) in actions:
            person = people[who]
            if kind == "text":
                await person.send(payload or ".")
            else:  # a press always comes from a message the bot sent (Telegram has no other)
                if not person.messages():
                    await person.send("/help")
                await world.feed(person.callback_update(payload or "x", person.last()))
        await world.drain_outbox(wait=False)
    finally:
        logging.getLogger().removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []
    assert not any(APOLOGY in t for p in people for t in p.texts())
