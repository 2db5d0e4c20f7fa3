"""Difficulties (khó khăn, vướng mắc): raised by staff or unit heads, answered by the standing office.

The rules live here; no aiogram, no wording of messages. The texts and buttons of the messages queued for
the author, the secretaries and the principal come from a `DifficultyTexts` and a `DifficultyMarkup` the
handler passes in (handlers/render/difficulty.py words them, handlers/keyboards.py builds the buttons), so
the wording and the callback format each stay in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.errors import NotAllowed
from bot.roles import Action, Member, Role, can
from bot.services.audit import Audit
from bot.services.difficulty_rules import (  # re-exported: handlers and tests read them from here
    CAPTION_MAX,
    FILE_MAX_BYTES,
    FILE_TYPES,
    FORWARDED,
    LIST_STATES,
    MESSAGE_BUDGET,
    PAGE_SIZE,
    REPLY_MAX,
    REPLY_MIN,
    TEXT_MAX,
    TEXT_MIN,
    TOPICS_MAX,
    AlreadyAnswered,
    AlreadyForwarded,
    AlreadyReplied,
    DifficultyMarkup,
    DifficultyNotFound,
    DifficultyTexts,
    Draft,
    FileTooLarge,
    FileTypeNotAllowed,
    ItemView,
    NoMarkup,
    NoPrincipal,
    NotForwarded,
    NotPrincipal,
    NotSecretary,
    NotYourUnit,
    Page,
    ReplyTooLong,
    ReplyTooShort,
    Settled,
    TextTooLong,
    TextTooShort,
    Topic,
    check_document,
    check_reply,
    check_size,
    check_text,
)
from bot.services.outbox import Outbox
from storage.models import Person, Unit
from storage.models.difficulty import Difficulty, DifficultyState
from storage.repositories.difficulty import DifficultyRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo

__all__ = [
    "CAPTION_MAX",
    "FILE_MAX_BYTES",
    "FILE_TYPES",
    "FORWARDED",
    "LIST_STATES",
    "MESSAGE_BUDGET",
    "PAGE_SIZE",
    "REPLY_MAX",
    "REPLY_MIN",
    "TEXT_MAX",
    "TEXT_MIN",
    "TOPICS_MAX",
    "AlreadyAnswered",
    "AlreadyForwarded",
    "AlreadyReplied",
    "DifficultyMarkup",
    "DifficultyNotFound",
    "DifficultyService",
    "DifficultyTexts",
    "Draft",
    "FileTooLarge",
    "FileTypeNotAllowed",
    "ItemView",
    "NoMarkup",
    "NoPrincipal",
    "NotForwarded",
    "NotPrincipal",
    "NotSecretary",
    "NotYourUnit",
    "Page",
    "ReplyTooLong",
    "ReplyTooShort",
    "Settled",
    "TextTooLong",
    "TextTooShort",
    "Topic",
    "check_document",
    "check_reply",
    "check_size",
    "check_text",
    "load_plan_topics",
]


async def load_plan_topics(session: AsyncSession) -> list[Topic]:
    """The movements and rounds of the latest plan period (none before a plan is loaded)."""
    plan = PlanRepo(session)
    period = await plan.latest_period()
    if period is None:
        return []
    rows = [("movement", m) for m in (await plan.movements(period.id))[:TOPICS_MAX]]
    rows += [("round", r) for r in (await plan.rounds(period.id))[:TOPICS_MAX]]
    return [
        Topic(kind, row.code, {"vi": row.name_vi, "en": row.name_en or row.name_vi}) for kind, row in rows
    ]


def _local_midnight(day: date, ctx: Ctx) -> datetime:
    """The start of `day` in the college's time zone (stored columns compare in UTC)."""
    return datetime.combine(day, time.min, tzinfo=ctx.clock.tz)


# -- the service ---------------------------------------------------------------------------------------------
class DifficultyService:
    def __init__(
        self, ctx: Ctx, markup: DifficultyMarkup | None = None, texts: DifficultyTexts | None = None
    ) -> None:
        self.ctx = ctx
        self.repo = DifficultyRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)
        self.markup: DifficultyMarkup = markup or NoMarkup()
        self._texts = texts

    @property
    def texts(self) -> DifficultyTexts:
        if self._texts is None:  # a caller that queues messages hands in the texts (the handlers do)
            raise RuntimeError("DifficultyService needs its texts to queue messages")
        return self._texts

    # -- who and what ------------------------------------------------------------------------------------
    @property
    def actor(self) -> Member:
        if self.ctx.actor is None:
            raise NotAllowed()
        return self.ctx.actor

    def is_secretary(self, member: Member | None = None) -> bool:
        return can(member or self.ctx.actor, Action.DIFFICULTY_ANSWER)

    def is_principal(self, member: Member | None = None) -> bool:
        return can(member or self.ctx.actor, Action.DIFFICULTY_REPLY_PRINCIPAL)

    async def headed_units(self) -> list[Unit]:
        """The units the actor may speak for (as head or acting deputy)."""
        ids = sorted(
            {
                g.unit_id
                for g in self.actor.grants
                if g.role in (Role.UNIT_HEAD, Role.DEPUTY_HEAD) and g.unit_id is not None
            }
        )
        units = await self.repo.units(ids)
        return [units[i] for i in ids if i in units]

    async def start(self, unit_id: int | None = None) -> Draft:
        """A new draft, personal (`unit_id` None) or on behalf of a unit the actor heads."""
        me = self.actor
        if unit_id is not None:
            if not me.heads(unit_id):
                raise NotYourUnit()
            return Draft(unit_id=unit_id, on_behalf_of_unit=True)
        return Draft(unit_id=me.unit_id, on_behalf_of_unit=False)

    async def topics(self) -> list[Topic]:
        return await load_plan_topics(self.ctx.session)

    async def view(self, item: Difficulty) -> ItemView:
        """The item with the names of the people, the unit and the topic (from the plan)."""
        people = await self.repo.people([item.author_id, item.answered_by, item.principal_reply_by])
        units = await self.repo.units([item.unit_id])
        topics = await self.topics() if item.topic_code else None
        return self._view(item, people, units, topics)

    def _view(
        self,
        item: Difficulty,
        people: dict[int, Person],
        units: dict[int, Unit],
        topics: Sequence[Topic] | None,
    ) -> ItemView:
        def name(pid: int | None) -> str | None:
            p = people.get(pid) if pid is not None else None
            return p.full_name if p else None

        topic = None
        if item.topic_kind and item.topic_code:
            topic = next(
                (tp for tp in topics or () if tp.kind == item.topic_kind and tp.code == item.topic_code),
                Topic(item.topic_kind, item.topic_code, {}),
            )
        unit = units.get(item.unit_id) if item.unit_id is not None else None
        return ItemView(
            item,
            name(item.author_id) or "?",
            unit.name if unit else None,
            topic,
            name(item.answered_by),
            name(item.principal_reply_by),
        )

    async def _get(self, item_id: int) -> Difficulty:
        item = await self.repo.get(item_id)
        if item is None:
            raise DifficultyNotFound(id=item_id)
        return item

    async def get_view(self, item_id: int) -> ItemView:
        return await self.view(await self._get(item_id))

    async def opened(self, item_id: int) -> ItemView:
        """An item opened from a list, as it is now: the secretary may open any, the principal those
        forwarded to them. What may be done with it is re-checked when a button on it is pressed."""
        me = self.actor
        secretary = self.is_secretary(me)
        if not secretary and not self.is_principal(me):
            raise NotSecretary()
        view = await self.get_view(item_id)
        if not secretary and view.item.forwarded_at is None:
            raise NotForwarded(id=item_id)
        return view

    # -- raising -----------------------------------------------------------------------------------------
    async def submit(self, draft: Draft) -> Difficulty:
        me = self.actor
        if not can(me, Action.DIFFICULTY_RAISE):
            raise NotAllowed()
        text = check_text(draft.text)
        if draft.on_behalf_of_unit and not me.heads(draft.unit_id):
            raise NotYourUnit()
        item = self.repo.add(
            Difficulty(
                author_id=me.person_id,
                unit_id=draft.unit_id if draft.on_behalf_of_unit else me.unit_id,
                on_behalf_of_unit=draft.on_behalf_of_unit,
                text=text,
                file_id=draft.file_id,
                file_kind=draft.file_kind if draft.file_id else None,
                file_name=draft.file_name if draft.file_id else None,
                topic_kind=draft.topic_kind if draft.topic_code else None,
                topic_code=draft.topic_code,
                state=DifficultyState.OPEN.value,
                created_at=self.ctx.clock.now(),
            )
        )
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "difficulty.raised",
            "difficulty",
            item.id,
            before=None,
            after={
                "state": item.state,
                "author_id": item.author_id,
                "unit_id": item.unit_id,
                "on_behalf_of_unit": item.on_behalf_of_unit,
                "file_kind": item.file_kind,
                "topic": f"{item.topic_kind}:{item.topic_code}" if item.topic_code else None,
            },
        )
        view = await self.view(item)
        for person in await self.people.with_role(Role.SECRETARY, self.ctx.clock.today()):
            self._send_card(person, view, title_key="difficulty-new-title", secretary=True)
        return item

    def _send_card(self, person: Person, view: ItemView, *, title_key: str, secretary: bool) -> None:
        item = view.item
        locale = person.language
        outbox = Outbox(self.ctx)
        if secretary:
            markup = self.markup.for_secretary(
                item.id, locale, can_answer=view.can_answer, can_forward=view.can_forward
            )
        else:
            markup = self.markup.for_principal(item.id, locale)
        row = outbox.to_person(
            person, self.texts.card(view, locale, title_key=title_key), kind="difficulty", reply_markup=markup
        )
        if row is not None and item.file_id and item.file_kind in ("document", "photo"):
            outbox.to_person(
                person,
                self.texts.file_caption(item, locale),
                kind="difficulty",
                method=item.file_kind,
                file_id=item.file_id,
            )

    # -- answering ---------------------------------------------------------------------------------------
    def _require_secretary(self) -> Member:
        me = self.actor
        if not self.is_secretary(me):
            raise NotSecretary()
        return me

    async def answerable(self, item_id: int) -> ItemView:
        """The item a secretary is about to answer; raises when they may not or it is already answered."""
        self._require_secretary()
        view = await self.get_view(item_id)
        if view.item.state == DifficultyState.ANSWERED.value:
            raise AlreadyAnswered(view)
        return view

    async def answer(self, item_id: int, text: str) -> ItemView:
        me = self._require_secretary()
        item = await self._get(item_id)
        if item.state == DifficultyState.ANSWERED.value:
            raise AlreadyAnswered(await self.view(item))
        answer = check_reply(text)
        before = {"state": item.state, "answer": None}
        if not await self.repo.mark_answered(item.id, answer, me.person_id, self.ctx.clock.now()):
            await self.repo.refresh(item)  # someone answered in between
            raise AlreadyAnswered(await self.view(item))
        await self.repo.refresh(item)
        Audit(self.ctx).record(
            "difficulty.answered",
            "difficulty",
            item.id,
            before=before,
            after={"state": item.state, "answer": answer, "answered_by": me.person_id},
        )
        view = await self.view(item)
        author = await self.people.get(item.author_id)
        if author is not None:
            Outbox(self.ctx).to_person(
                author, self.texts.answer_for_author(view, author.language), kind="difficulty"
            )
        return view

    # -- forwarding to the principal ---------------------------------------------------------------------
    async def forward(self, item_id: int) -> ItemView:
        me = self._require_secretary()
        item = await self._get(item_id)
        if item.state != DifficultyState.OPEN.value:
            await self._not_forwardable(item)
        principals = [
            p
            for p in await self.people.with_role(Role.PRINCIPAL, self.ctx.clock.today())
            if p.telegram_id is not None and p.active and not p.unreachable
        ]
        if not principals:
            raise NoPrincipal()
        before = {"state": item.state}
        if not await self.repo.mark_forwarded(item.id, me.person_id, self.ctx.clock.now()):
            await self.repo.refresh(item)  # someone answered or forwarded it in between
            await self._not_forwardable(item)
        await self.repo.refresh(item)
        Audit(self.ctx).record(
            "difficulty.forwarded",
            "difficulty",
            item.id,
            before=before,
            after={"state": item.state, "forwarded_by": me.person_id, "to": [p.id for p in principals]},
        )
        view = await self.view(item)
        for person in principals:
            self._send_card(person, view, title_key="difficulty-forward-title", secretary=False)
        return view

    async def _not_forwardable(self, item: Difficulty) -> NoReturn:
        view = await self.view(item)
        if item.state == DifficultyState.ANSWERED.value:
            raise AlreadyAnswered(view)
        raise AlreadyForwarded(view)

    def _require_principal(self) -> Member:
        me = self.actor
        if not can(me, Action.DIFFICULTY_REPLY_PRINCIPAL):
            raise NotPrincipal()
        return me

    async def repliable(self, item_id: int) -> ItemView:
        self._require_principal()
        view = await self.get_view(item_id)
        if view.item.forwarded_at is None:
            raise NotForwarded(id=item_id)
        if view.item.principal_reply:
            raise AlreadyReplied(view)
        return view

    async def principal_reply(self, item_id: int, text: str) -> ItemView:
        me = self._require_principal()
        view = await self.repliable(item_id)
        item = view.item
        reply = check_reply(text)
        if not await self.repo.set_principal_reply(item.id, reply, me.person_id, self.ctx.clock.now()):
            await self.repo.refresh(item)
            raise AlreadyReplied(await self.view(item))
        await self.repo.refresh(item)
        Audit(self.ctx).record(
            "difficulty.principal_replied",
            "difficulty",
            item.id,
            before={"state": item.state, "principal_reply": None},
            after={"state": item.state, "principal_reply": reply, "principal_reply_by": me.person_id},
        )
        view = await self.view(item)
        outbox = Outbox(self.ctx)
        for person in await self.people.with_role(Role.SECRETARY, self.ctx.clock.today()):
            markup = self.markup.for_secretary(
                item.id, person.language, can_answer=view.can_answer, can_forward=False
            )
            text = self.texts.reply_for_secretary(view, person.language)
            outbox.to_person(person, text, kind="difficulty", reply_markup=markup)
        return view

    # -- lists -------------------------------------------------------------------------------------------
    async def listing(
        self, *, mine: bool, states: str = "all", unit_id: int | None = None, page: int = 0
    ) -> Page:
        """The secretary's list (any state, optionally one unit), the principal's (`states` "fwd": the
        items forwarded to them), or the actor's own items."""
        me = self.actor
        where: dict[str, Any]
        if mine:
            unit_id, where = None, {"author_id": me.person_id}
        elif states == FORWARDED:
            if not self.is_principal(me) and not self.is_secretary(me):
                raise NotPrincipal()
            unit_id, where = None, {"forwarded": True}
        else:
            if not self.is_secretary(me):
                raise NotSecretary()
            unit_id = unit_id or None
            where = {"states": LIST_STATES.get(states), "unit_id": unit_id}
        page = max(page, 0)
        rows, total = await self.repo.page(offset=page * PAGE_SIZE, limit=PAGE_SIZE, **where)
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        if rows == [] and page > 0 and total:
            return await self.listing(mine=mine, states=states, unit_id=unit_id, page=pages - 1)
        people = await self.repo.people(
            [pid for r in rows for pid in (r.author_id, r.answered_by, r.principal_reply_by)]
        )
        units = await self.repo.units([r.unit_id for r in rows] + [unit_id])
        topics = await self.topics() if any(r.topic_code for r in rows) else None
        unit = units.get(unit_id) if unit_id else None
        views = [self._view(r, people, units, topics) for r in rows]
        return Page(views, total, page, pages, unit.name if unit else None)

    async def units_with_items(self) -> list[Unit]:
        self._require_secretary()
        return await self.repo.units_with_items()

    # -- the yearly report -------------------------------------------------------------------------------
    async def counts(self, start: date, end: date) -> dict[int | None, dict[str, int]]:
        """Items raised from `start` to `end` (local dates, both included): unit id -> state -> number."""
        rows = await self.repo.counts(
            _local_midnight(start, self.ctx), _local_midnight(end + timedelta(days=1), self.ctx)
        )
        out: dict[int | None, dict[str, int]] = {}
        for unit_id, state, n in rows:
            per_state = out.setdefault(unit_id, {s.value: 0 for s in DifficultyState})
            per_state[state] = per_state.get(state, 0) + n
        return out
