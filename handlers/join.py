"""Joining with an invite: /start <token> → consent → who you are → (proof) → confirm → language → welcome.

Registered before handlers/common.py, so `/start <payload>` lands here. Someone who is not linked yet
has no `me`; their answers live only in the FSM state until the last step completes the join.

On a unit's shared invite the joiner types their name and picks it among at most 8 matches (never the
unit's whole list); claiming a roster person then needs their date of birth, or the unit head's word, and
someone not on the roster waits for the head's word. An account the bot knows that is not a member (waiting
for the head, or deactivated) is answered here, before every other feature (`Known`). The unit head's
buttons and /pending's part are in handlers/join_heads.py, included in this router.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import BaseFilter, Command, CommandObject, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, User

from bot import menus
from bot.commands import commands_for
from bot.context import Ctx
from bot.conversation import command_of, conversation, open_line
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Start, personal_router
from bot.i18n import t
from bot.roles import Member
from bot.services.invites import role_name
from bot.services.join import JoinOffer, JoinService, Standing, name_doubt
from bot.services.join_claims import ClaimSent
from bot.text import esc, plain
from handlers import acknowledgement, common, join_heads
from handlers.keyboards import (
    JoinButtons,
    JoinCb,
    JoinLangCb,
    JoinPickCb,
    LangCb,
    join_consent_keyboard,
    join_identity_keyboard,
    join_lang_keyboard,
    join_name_doubt_keyboard,
    join_pick_keyboard,
    join_summary_keyboard,
    lang_keyboard,
)
from storage.repositories.roster import RosterRepo


class JoinSG(StatesGroup):
    consent = State()
    identity = State()  # a personal invite: "this is me"
    pick = State()  # a unit invite: type your name, pick it among the matches
    birth = State()  # the date of birth on file, as the proof of a claim through a unit invite
    name = State()  # not on the roster: type your full name
    name_check = State()  # a name without diacritics or in capitals: keep it or type it again
    confirm = State()  # name, unit and role
    language = State()


# started by /start <payload>, a command; /help names the question waiting at each step
conversation(
    JoinSG,
    "join-flow",
    asks={
        JoinSG.consent: "join-ask-consent",
        JoinSG.identity: "join-ask-identity",
        JoinSG.pick: "join-ask-pick",
        JoinSG.birth: "join-ask-birth",
        JoinSG.name: "join-ask-name",
        JoinSG.name_check: "join-ask-name-check",
        JoinSG.confirm: "join-ask-confirm",
        JoinSG.language: "join-ask-language",
    },
)


class Known(BaseFilter):
    """Someone not a member whose account the bot knows: deactivated, or waiting for the head's word.
    Passes the `standing` to the handler; costs one query per update of a non-member only."""

    async def __call__(self, event: Message | CallbackQuery, ctx: Ctx, me: Member | None = None) -> Any:
        if me is not None or event.from_user is None:
            return False
        standing = await JoinService(ctx).standing(event.from_user.id)
        return {"standing": standing} if standing is not None else False


def router() -> Router:
    r = personal_router("join")
    r.message.register(start, Start(deep_link=True))
    r.message.register(cancel, StateFilter(JoinSG), Command("cancel"))
    r.callback_query.register(
        consent, StateFilter(JoinSG.consent), JoinCb.filter(F.op.in_({"agree", "refuse"}))
    )
    r.callback_query.register(
        identity, StateFilter(JoinSG.identity), JoinCb.filter(F.op.in_({"me", "notme"}))
    )
    r.message.register(search, StateFilter(JoinSG.pick), TYPED)
    r.callback_query.register(pick, StateFilter(JoinSG.pick), JoinPickCb.filter())
    r.callback_query.register(not_listed, StateFilter(JoinSG.pick), JoinCb.filter(F.op == "new"))
    r.message.register(birth, StateFilter(JoinSG.birth), TYPED)
    r.message.register(typed_name, StateFilter(JoinSG.name), TYPED)
    r.callback_query.register(
        name_checked, StateFilter(JoinSG.name_check), JoinCb.filter(F.op.in_({"keep", "retype"}))
    )
    r.callback_query.register(confirm, StateFilter(JoinSG.confirm), JoinCb.filter(F.op.in_({"ok", "stop"})))
    r.callback_query.register(language, StateFilter(JoinSG.language), JoinLangCb.filter())
    r.callback_query.register(stale, or_f(JoinCb.filter(), JoinPickCb.filter(), JoinLangCb.filter()))
    r.message.register(use_buttons, StateFilter(JoinSG), NOT_COMMAND)
    r.message.register(known_says, Known())  # before every other feature: deactivated, or waiting
    r.callback_query.register(known_presses, Known())
    r.include_router(join_heads.router())
    return r


# -- helpers ---------------------------------------------------------------------------------------------
async def _drop_buttons(query: CallbackQuery) -> None:
    if isinstance(query.message, Message) and query.message.reply_markup:
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def _say(query: CallbackQuery, text: str, **kw: object) -> None:
    await query.answer()
    await _drop_buttons(query)
    if isinstance(query.message, Message):
        await query.message.answer(text, **kw)  # type: ignore[arg-type]


async def _ask_name(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(JoinSG.name)
    await _say(query, t("join-name-ask"))


def _account(user: User) -> str:
    """The Telegram account as the unit head will see it: its name, and its @username when it has one."""
    return user.full_name + (f" (@{user.username})" if user.username else "")


def _help(member: Member, locale: str) -> str:
    """What the new member may do, in the language they just chose (as /help says it)."""
    lines = [t("help-title", locale=locale), ""]
    return "\n".join(lines + [f"/{c.name} — {t(c.help_key, locale=locale)}" for c in commands_for(member)])


async def _summary(state: FSMContext) -> tuple[str, object]:
    data = await state.get_data()
    await state.set_state(JoinSG.confirm)
    text = t(
        "join-summary",
        name=esc(data.get("person_name") or data.get("name") or ""),
        unit=esc(data["unit_name"]),
        role=role_name(data["role"]),
    )
    newcomer = data.get("person") is None and data.get("needs_head")
    if data.get("proof") == "head" or newcomer:
        text += "\n\n" + t("join-summary-head-note")
    return text, join_summary_keyboard()


async def _reply(event: Message | CallbackQuery, text: str, **kw: object) -> None:
    if isinstance(event, CallbackQuery):
        await _say(event, text, **kw)
    else:
        await event.answer(text, **kw)  # type: ignore[arg-type]


async def _after_pick(event: Message | CallbackQuery, state: FSMContext, proof: str, lead: str = "") -> None:
    """After the joiner said who they are: ask the date of birth, or show the summary."""
    await state.update_data(proof=proof)
    if proof == "birth":
        data = await state.get_data()
        await state.set_state(JoinSG.birth)
        await _reply(event, lead + t("join-birth-ask", name=esc(data["person_name"])))
        return
    text, kb = await _summary(state)
    await _reply(event, lead + text, reply_markup=kb)


# -- the steps ------------------------------------------------------------------------------------------
async def start(
    message: Message, command: CommandObject, state: FSMContext, ctx: Ctx, me: Member | None
) -> None:
    if me is not None:
        await message.answer(t("join-already-member"))
        return
    assert message.from_user is not None
    try:
        offer: JoinOffer = await JoinService(ctx).begin(command.args or "", message.from_user.id)
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.set_state(JoinSG.consent)
    await state.set_data(
        {
            "invite": offer.invite_id,
            "role": offer.role,
            "unit": offer.unit_id,
            "unit_name": offer.unit_name,
            "person": offer.person_id,
            "person_name": offer.person_name,
            "personal": offer.person_id is not None,
            "needs_head": offer.needs_head,
        }
    )
    await message.answer(
        t("join-consent", unit=esc(offer.unit_name), role=role_name(offer.role)),
        reply_markup=join_consent_keyboard(),
    )


async def cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(t("join-cancelled"))


async def consent(query: CallbackQuery, callback_data: JoinCb, state: FSMContext, ctx: Ctx) -> None:
    if callback_data.op == "refuse":
        await state.clear()
        await _say(query, t("join-consent-refused"))
        return
    data = await state.get_data()
    if data.get("personal"):
        await state.set_state(JoinSG.identity)
        await _say(
            query,
            t("join-identity-ask", name=esc(data["person_name"]), unit=esc(data["unit_name"])),
            reply_markup=join_identity_keyboard(),
        )
        return
    if not await RosterRepo(ctx.session).count_not_joined(data["unit"]):
        await _ask_name(query, state)
        return
    await state.set_state(JoinSG.pick)
    await _say(query, t("join-search-ask"), reply_markup=join_pick_keyboard([]))


async def identity(query: CallbackQuery, callback_data: JoinCb, state: FSMContext) -> None:
    if callback_data.op == "notme":
        await state.clear()
        await _say(query, t("join-not-me"))
        return
    text, kb = await _summary(state)
    await _say(query, text, reply_markup=kb)


async def search(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        people = await JoinService(ctx).search(data["unit"], message.text or "")
    except DomainError as e:
        await message.answer(e.text(), reply_markup=join_pick_keyboard([]))
        return
    found = [(p.id, p.full_name) for p in people]
    key = "join-search-results" if found else "join-search-none"
    await message.answer(
        t(key, query=esc((message.text or "").strip())), reply_markup=join_pick_keyboard(found)
    )


async def pick(query: CallbackQuery, callback_data: JoinPickCb, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    service = JoinService(ctx)
    try:
        person = await service.pick(data["unit"], callback_data.id)
        proof = await service.proof_for(query.from_user.id, person)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await state.update_data(person=person.id, person_name=person.full_name)
    await _after_pick(query, state, proof)


async def birth(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    assert message.from_user is not None
    try:
        checked = await JoinService(ctx).check_birth(
            message.from_user.id, data["unit"], data["person"], message.text or ""
        )
    except DomainError as e:
        await message.answer(e.text())
        return  # a badly written date: nothing counted, the same question stands
    if checked.proof == "wrong":
        await message.answer(t("join-birth-wrong", left=checked.left))
        return
    lead = t("join-birth-ok") if checked.proof == "verified" else t("join-birth-tries-used")
    await _after_pick(message, state, checked.proof, lead + "\n\n")


async def not_listed(query: CallbackQuery, state: FSMContext) -> None:
    await _ask_name(query, state)


async def typed_name(message: Message, state: FSMContext) -> None:
    try:
        name = JoinService.clean_name(message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.update_data(name=name, person=None, person_name=None, proof=None)
    data = await state.get_data()
    doubt = None if data.get("name_questioned") else name_doubt(name)
    if doubt is not None:
        await state.update_data(name_questioned=True)
        await state.set_state(JoinSG.name_check)
        key = "join-name-doubt-caps" if doubt == "caps" else "join-name-doubt-plain"
        await message.answer(t(key, name=esc(name)), reply_markup=join_name_doubt_keyboard())
        return
    text, kb = await _summary(state)
    await message.answer(text, reply_markup=kb)  # type: ignore[arg-type]


async def name_checked(query: CallbackQuery, callback_data: JoinCb, state: FSMContext) -> None:
    if callback_data.op == "retype":
        await _ask_name(query, state)
        return
    text, kb = await _summary(state)
    await _say(query, text, reply_markup=kb)


async def confirm(query: CallbackQuery, callback_data: JoinCb, state: FSMContext) -> None:
    if callback_data.op == "stop":
        await state.clear()
        await _say(query, t("join-cancelled"))
        return
    await state.set_state(JoinSG.language)
    await _say(query, t("join-lang-ask"), reply_markup=join_lang_keyboard())


async def language(
    query: CallbackQuery, callback_data: JoinLangCb, state: FSMContext, ctx: Ctx, bot: Bot
) -> None:
    data = await state.get_data()
    code = callback_data.code
    try:
        joined = await JoinService(ctx).complete(
            data["invite"],
            query.from_user.id,
            code,
            person_id=data.get("person"),
            full_name=data.get("name"),
            account=_account(query.from_user),
            buttons=JoinButtons(),
        )
    except DomainError as e:
        await state.clear()
        await _say(query, e.text())
        return
    await state.clear()
    if isinstance(joined, ClaimSent):
        text = t("join-claim-sent", locale=code, name=esc(joined.name), unit=esc(joined.unit_name))
        await _say(query, text)
        return
    text = t(
        "join-welcome",
        locale=code,
        name=esc(joined.person.full_name),
        unit=esc(joined.unit_name),
        role=role_name(joined.role, locale=code),
    )
    text += "\n\n" + _help(joined.member, code)
    await _say(query, text, reply_markup=await acknowledgement.offer(ctx, joined.person.id, code))
    await menus.set_menu(bot, joined.member)


async def stale(query: CallbackQuery) -> None:
    await query.answer(t("join-stale"), show_alert=True)


async def use_buttons(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    await message.answer(t("join-name-ask") if current == JoinSG.name.state else t("join-use-buttons"))


# -- an account the bot knows that is not a member ----------------------------------------------------------
KNOWN_COMMANDS = ("start", "help", "lang", "cancel")  # all a waiting account may use


def _known_text(standing: Standing) -> str:
    if standing.kind == "gone":
        return t("join-deactivated", contact=standing.contact)
    return t("join-waiting")


async def known_says(message: Message, standing: Standing, state: FSMContext) -> None:
    """A deactivated account is told so and whom to contact, whatever it sends. A waiting one may use /help,
    /lang and /cancel; /start says where its request stands; anything else, that it waits."""
    command = command_of(message.text)
    name = command[0] if command else None
    if standing.kind == "gone" or name not in KNOWN_COMMANDS:
        await message.answer(_known_text(standing))
    elif name == "help":
        lines = [t("help-title-guest"), "", common.commands_text_of(KNOWN_COMMANDS), "", t("join-waiting")]
        if line := open_line(await state.get_state()):
            lines += ["", line]
        await message.answer("\n".join(lines))
    elif name == "lang":
        await message.answer(t("lang-ask"), reply_markup=lang_keyboard())
    elif name == "cancel":
        await common.cancel(message, state)
    else:
        await message.answer(t("join-waiting-start", name=esc(standing.name), unit=esc(standing.unit_name)))


def _lang_of(data: str | None) -> LangCb | None:
    try:
        return LangCb.unpack(data or "")
    except (TypeError, ValueError):
        return None


async def known_presses(query: CallbackQuery, standing: Standing, ctx: Ctx) -> None:
    """A waiting account may pick its language (/lang); any other press is answered as a message is."""
    lang = _lang_of(query.data) if standing.kind == "waiting" else None
    if lang is None:
        await query.answer(plain(_known_text(standing))[:200], show_alert=True)
        return
    await JoinService(ctx).set_waiting_language(query.from_user.id, lang.code)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(t("lang-set", locale=lang.code))
