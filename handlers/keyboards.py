"""CallbackData classes and small keyboard builders. Callback data stays under 64 bytes."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.text import label as button_label


class LangCb(CallbackData, prefix="lang"):
    code: Literal["vi", "en"]


def lang_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t("lang-vi"), callback_data=LangCb(code="vi").pack()),
                InlineKeyboardButton(text=t("lang-en"), callback_data=LangCb(code="en").pack()),
            ]
        ]
    )


# -- difficulty (khó khăn, vướng mắc) ------------------------------------------------------------------
class DiffBehalfCb(CallbackData, prefix="dfb"):
    unit: int  # 0: personally; else the unit the head speaks for


class DiffDraftCb(CallbackData, prefix="dfd"):
    op: Literal["skip", "send", "cancel"]


class DiffTopicCb(CallbackData, prefix="dft"):
    i: int  # index into the choices kept in the conversation; -1: none


class DiffItemCb(CallbackData, prefix="dfi"):
    op: Literal["ans", "fwd", "rep", "card"]  # card: open the item from a list, with its buttons
    id: int


class DiffListCb(CallbackData, prefix="dfl"):
    f: Literal["all", "open", "ans", "units", "mine", "fwd"]  # fwd: the principal's list
    u: int = 0  # unit id, 0: every unit
    p: int = 0  # page


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    """An inline button: its label cut after a whole word when long (bot.text.label)."""
    return InlineKeyboardButton(text=button_label(text), callback_data=data.pack())


_btn = button


def difficulty_behalf_keyboard(units: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [[_btn(t("difficulty-btn-personal"), DiffBehalfCb(unit=0))]]
    rows += [[_btn(t("difficulty-btn-unit", unit=name), DiffBehalfCb(unit=uid))] for uid, name in units]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def difficulty_skip_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_btn(t("difficulty-btn-skip"), DiffDraftCb(op="skip"))]])


def difficulty_topic_keyboard(labels: list[str]) -> InlineKeyboardMarkup:
    rows = [[_btn(label, DiffTopicCb(i=i))] for i, label in enumerate(labels)]
    rows.append([_btn(t("difficulty-btn-skip"), DiffTopicCb(i=-1))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def difficulty_confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _btn(t("difficulty-btn-send"), DiffDraftCb(op="send")),
                _btn(t("difficulty-btn-cancel"), DiffDraftCb(op="cancel")),
            ]
        ]
    )


def difficulty_secretary_keyboard(
    item_id: int, locale: str | None = None, *, can_answer: bool = True, can_forward: bool = True
) -> InlineKeyboardMarkup | None:
    row = []
    if can_answer:
        row.append(_btn(t("difficulty-btn-answer", locale=locale), DiffItemCb(op="ans", id=item_id)))
    if can_forward:
        row.append(_btn(t("difficulty-btn-forward", locale=locale), DiffItemCb(op="fwd", id=item_id)))
    return InlineKeyboardMarkup(inline_keyboard=[row]) if row else None


def difficulty_principal_keyboard(item_id: int, locale: str | None = None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_btn(t("difficulty-btn-reply", locale=locale), DiffItemCb(op="rep", id=item_id))]]
    )


def difficulty_card_keyboard(
    item_id: int, *, can_answer: bool, can_forward: bool, can_reply: bool
) -> InlineKeyboardMarkup | None:
    """A card opened from /difficulties: the buttons of the notification, for what the viewer may still do."""
    rows: list[list[InlineKeyboardButton]] = []
    secretary = difficulty_secretary_keyboard(item_id, can_answer=can_answer, can_forward=can_forward)
    if secretary is not None:
        rows += secretary.inline_keyboard
    if can_reply:
        rows += difficulty_principal_keyboard(item_id).inline_keyboard
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


class DifficultyButtons:
    """The buttons of queued difficulty messages, as JSON for the outbox (bot.services.difficulty uses it)."""

    def for_secretary(
        self, item_id: int, locale: str, *, can_answer: bool, can_forward: bool
    ) -> dict[str, object] | None:
        kb = difficulty_secretary_keyboard(item_id, locale, can_answer=can_answer, can_forward=can_forward)
        return kb.model_dump(exclude_none=True) if kb else None

    def for_principal(self, item_id: int, locale: str) -> dict[str, object] | None:
        return difficulty_principal_keyboard(item_id, locale).model_dump(exclude_none=True)


def difficulty_list_keyboard(
    f: str, unit: int, page: int, pages: int, *, items: tuple[int, ...] = (), principal: bool = False
) -> InlineKeyboardMarkup:
    """The filters (the secretary's; the principal's two lists), a button per item of the page that
    opens it as a card (`items`), and paging. The person's own list ("mine") has paging only."""
    rows: list[list[InlineKeyboardButton]] = []
    if principal and f in ("fwd", "mine"):
        rows.append(
            [
                _btn(("• " if f == "fwd" else "") + t("difficulty-btn-forwarded"), DiffListCb(f="fwd")),
                _btn(("• " if f == "mine" else "") + t("difficulty-btn-mine"), DiffListCb(f="mine")),
            ]
        )
    elif f != "mine":
        marks = {"all": "difficulty-btn-all", "open": "difficulty-btn-open", "ans": "difficulty-btn-answered"}
        rows.append(
            [
                _btn(("• " if f == key else "") + t(label), DiffListCb(f=key, u=unit, p=0))
                for key, label in marks.items()
            ]
        )
        by_unit = [_btn(t("difficulty-btn-by-unit"), DiffListCb(f="units", u=unit, p=0))]
        if unit:
            by_unit.append(_btn(t("difficulty-btn-all-units"), DiffListCb(f=f, u=0, p=0)))
        rows.append(by_unit)
    if items and f != "mine":
        rows.append([_btn(t("difficulty-btn-open-item", id=i), DiffItemCb(op="card", id=i)) for i in items])
    nav = []
    if page > 0:
        nav.append(_btn(t("difficulty-btn-prev"), DiffListCb(f=f, u=unit, p=page - 1)))
    if page + 1 < pages:
        nav.append(_btn(t("difficulty-btn-next"), DiffListCb(f=f, u=unit, p=page + 1)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def difficulty_units_keyboard(units: list[tuple[int, str]], f: str) -> InlineKeyboardMarkup:
    rows = [[_btn(name, DiffListCb(f=f, u=uid, p=0))] for uid, name in units]
    rows.append([_btn(t("difficulty-btn-all-units"), DiffListCb(f=f, u=0, p=0))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


# -- people administration (/people) ------------------------------------------------------------------
class PeoplePageCb(CallbackData, prefix="pa_pg"):
    q: str  # the normalised search words (bot.services.people_admin.query_key), at most 40 bytes
    p: int


class PersonCb(CallbackData, prefix="pa_cd"):
    id: int


class PersonEditCb(CallbackData, prefix="pa_ed"):
    op: Literal[
        "card", "units", "unit", "roles", "role", "deleg", "undeleg", "off", "off!", "on", "name", "pos"
    ]
    id: int
    arg: str = ""


# -- people: joining and invites ------------------------------------------------------------------------
class JoinCb(CallbackData, prefix="jn"):
    op: Literal["agree", "refuse", "me", "notme", "new", "ok", "stop", "keep", "retype"]


class JoinPickCb(CallbackData, prefix="jnp"):
    id: int  # the roster person the joiner says they are


class JoinClaimCb(CallbackData, prefix="jcl"):
    op: Literal["ok", "no"]  # the head: it is this person / it is not
    id: int  # join_claim id


class JoinUnlinkCb(CallbackData, prefix="jul"):
    id: int  # join_claim id of a completed join: "not this person"


class JoinLangCb(CallbackData, prefix="jnl"):
    code: Literal["vi", "en"]


class InviteRoleCb(CallbackData, prefix="ivr"):
    role: str
    n: int = 1  # uses


class InviteUnitCb(CallbackData, prefix="ivu"):
    role: str
    unit: int
    n: int = 1


class ConfirmJoinerCb(CallbackData, prefix="cjn"):
    id: int  # a person who joined by a unit invite unconfirmed (before issue 18): "of the unit"


def join_consent_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_btn(t("join-btn-agree"), JoinCb(op="agree")), _btn(t("join-btn-refuse"), JoinCb(op="refuse"))]
        ]
    )


def join_identity_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_btn(t("join-btn-me"), JoinCb(op="me")), _btn(t("join-btn-not-me"), JoinCb(op="notme"))]
        ]
    )


def join_pick_keyboard(people: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """The names that matched what the joiner typed (at most 8), and "I'm not on the list"."""
    rows = [[_btn(name, JoinPickCb(id=pid))] for pid, name in people]
    rows.append([_btn(t("join-btn-not-listed"), JoinCb(op="new"))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def join_name_doubt_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _btn(t("join-btn-keep-name"), JoinCb(op="keep")),
                _btn(t("join-btn-retype"), JoinCb(op="retype")),
            ]
        ]
    )


def join_summary_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_btn(t("join-btn-confirm"), JoinCb(op="ok")), _btn(t("join-btn-stop"), JoinCb(op="stop"))]
        ]
    )


def join_lang_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_btn(t("lang-vi"), JoinLangCb(code="vi")), _btn(t("lang-en"), JoinLangCb(code="en"))]
        ]
    )


def invite_roles_keyboard(roles: list[tuple[str, str]], n: int = 1) -> InlineKeyboardMarkup:
    rows = [[_btn(label, InviteRoleCb(role=role, n=n))] for role, label in roles]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def invite_units_keyboard(units: list[tuple[int, str]], role: str, n: int = 1) -> InlineKeyboardMarkup:
    buttons = [_btn(name, InviteUnitCb(role=role, unit=uid, n=n)) for uid, name in units]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[i : i + 2] for i in range(0, len(buttons), 2)])


class JoinButtons:
    """The buttons of queued messages to unit heads about joins, as JSON (for bot.services.join_claims)."""

    def claim(self, claim_id: int, locale: str) -> dict[str, object]:
        kb = InlineKeyboardMarkup(
            inline_keyboard=[
                [_btn(t("join-btn-claim-ok", locale=locale), JoinClaimCb(op="ok", id=claim_id))],
                [_btn(t("join-btn-not-this-person", locale=locale), JoinClaimCb(op="no", id=claim_id))],
            ]
        )
        return kb.model_dump(exclude_none=True)

    def newcomer(self, claim_id: int, locale: str) -> dict[str, object]:
        """Someone not on the roster asks to join: of the unit, or not."""
        kb = InlineKeyboardMarkup(
            inline_keyboard=[
                [_btn(t("join-btn-confirm-joiner", locale=locale), JoinClaimCb(op="ok", id=claim_id))],
                [_btn(t("join-btn-not-of-unit", locale=locale), JoinClaimCb(op="no", id=claim_id))],
            ]
        )
        return kb.model_dump(exclude_none=True)

    def unlink(self, claim_id: int, locale: str) -> dict[str, object]:
        kb = InlineKeyboardMarkup(
            inline_keyboard=[[_btn(t("join-btn-not-this-person", locale=locale), JoinUnlinkCb(id=claim_id))]]
        )
        return kb.model_dump(exclude_none=True)


# -- plan (/plan, /rounds) ---------------------------------------------------------------------------------
class PlanCb(CallbackData, prefix="pl"):
    v: Literal["doc", "mov", "rnd", "tit"]  # the document, movements, rounds, titles and award forms
    p: int  # period id


class RoundCb(CallbackData, prefix="rd"):
    op: Literal["early", "ext", "early_ok", "ext_ok", "keep"]  # ask, then confirm (or keep the window)
    r: int  # round id


def plan_keyboard(period_id: int, has_document: bool) -> InlineKeyboardMarkup:
    rows = []
    if has_document:
        rows.append([_btn(t("plan-btn-document"), PlanCb(v="doc", p=period_id))])
    rows.append(
        [
            _btn(t("plan-btn-movements"), PlanCb(v="mov", p=period_id)),
            _btn(t("plan-btn-rounds"), PlanCb(v="rnd", p=period_id)),
        ]
    )
    rows.append([_btn(t("plan-btn-titles"), PlanCb(v="tit", p=period_id))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def round_keyboard(round_id: int, *, can_open_early: bool, can_extend: bool) -> InlineKeyboardMarkup | None:
    row = []
    if can_open_early:
        row.append(_btn(t("plan-btn-open-early"), RoundCb(op="early", r=round_id)))
    if can_extend:
        row.append(_btn(t("plan-btn-extend"), RoundCb(op="ext", r=round_id)))
    return InlineKeyboardMarkup(inline_keyboard=[row]) if row else None


def round_confirm_keyboard(round_id: int, op: Literal["early_ok", "ext_ok"]) -> InlineKeyboardMarkup:
    """Confirm a change of the voting window, or keep it as it is."""
    label = "plan-btn-confirm-early" if op == "early_ok" else "plan-btn-confirm-extend"
    row = [
        _btn(t(label), RoundCb(op=op, r=round_id)),
        _btn(t("plan-btn-keep"), RoundCb(op="keep", r=round_id)),
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])
