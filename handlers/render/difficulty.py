"""Difficulty texts: the card of an item, the answer for its author, the principal's opinion for the
secretaries, the caption of its file.

The service queues these through the outbox; it is handed `TEXTS` (as it is handed the buttons), so the
wording stays here and the service holds only the rules.
"""

from __future__ import annotations

from bot.clock import fmt_date, fmt_when
from bot.i18n import t
from bot.services.difficulty import CAPTION_MAX, MESSAGE_BUDGET, ItemView
from bot.text import clip, esc, fit
from storage.models.difficulty import Difficulty


def state_label(view: ItemView, locale: str | None = None) -> str:
    return t(f"difficulty-state-{view.item.state}", locale=locale)


def _head_lines(view: ItemView, locale: str | None, title_key: str) -> list[str]:
    item = view.item
    lines = [t(title_key, locale=locale, id=item.id)]
    if item.on_behalf_of_unit and view.unit:
        lines.append(
            t("difficulty-card-from-unit", locale=locale, name=esc(view.author), unit=esc(view.unit))
        )
    else:
        lines.append(t("difficulty-card-from", locale=locale, name=esc(view.author)))
        if view.unit:
            lines.append(t("difficulty-card-unit", locale=locale, unit=esc(view.unit)))
    if view.topic is not None:
        lines.append(
            t(
                f"difficulty-card-topic-{view.topic.kind}",
                locale=locale,
                topic=esc(view.topic.label(locale or "vi")),
            )
        )
    lines.append(t("difficulty-card-date", locale=locale, date=fmt_date(item.created_at)))
    if item.file_kind == "photo":
        lines.append(t("difficulty-card-photo", locale=locale))
    elif item.file_kind == "document":
        lines.append(t("difficulty-card-file", locale=locale, name=esc(item.file_name or "")))
    return lines


def card(view: ItemView, locale: str | None = None, *, title_key: str = "difficulty-card-title") -> str:
    """The whole item as the secretary (or the principal) sees it, with what has come of it so far."""
    item = view.item
    head = _head_lines(view, locale, title_key)
    head.append(t("difficulty-card-state", locale=locale, state=state_label(view, locale)))
    labels: list[str] = []
    users = [item.text]
    if item.forwarded_at is not None:
        labels.append(t("difficulty-card-forwarded", locale=locale, date=fmt_date(item.forwarded_at)))
    if item.principal_reply:
        users.append(item.principal_reply)
    if item.answer:
        users.append(item.answer)
    reserve = sum(len(line) + 1 for line in head + labels) + 300  # the labels around the replies
    parts = fit(users, MESSAGE_BUDGET - reserve)
    out = ["\n".join(head), "", parts[0]]
    if labels:
        out += ["", *labels]
    i = 1
    if item.principal_reply:
        out += [
            "",
            t(
                "difficulty-card-principal-reply",
                locale=locale,
                name=esc(view.principal or ""),
                reply=parts[i],
            ),
        ]
        i += 1
    if item.answer:
        out += [
            "",
            t(
                "difficulty-card-answer",
                locale=locale,
                name=esc(view.answerer or ""),
                at=fmt_when(item.answered_at) if item.answered_at else "",
                answer=parts[i],
            ),
        ]
    return "\n".join(out)


def answer_for_author(view: ItemView, locale: str | None) -> str:
    item = view.item
    return t(
        "difficulty-answer-for-author",
        locale=locale,
        id=item.id,
        date=fmt_date(item.created_at),
        text=clip(item.text, 600),
        answer=clip(item.answer or "", MESSAGE_BUDGET - 1000),
    )


def reply_for_secretary(view: ItemView, locale: str | None) -> str:
    item = view.item
    return t(
        "difficulty-reply-for-secretary",
        locale=locale,
        id=item.id,
        name=esc(view.principal or ""),
        text=clip(item.text, 600),
        reply=clip(item.principal_reply or "", MESSAGE_BUDGET - 1000),
    )


def file_caption(item: Difficulty, locale: str | None) -> str:
    return t("difficulty-file-caption", locale=locale, id=item.id)[:CAPTION_MAX]


class DifficultyTexts:
    """What the service words through (bot.services.difficulty.DifficultyTexts)."""

    card = staticmethod(card)
    answer_for_author = staticmethod(answer_for_author)
    reply_for_secretary = staticmethod(reply_for_secretary)
    file_caption = staticmethod(file_caption)


TEXTS = DifficultyTexts()
