"""The wording of /announce: the draft from the catalogue's template, the targets, the preview."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.clock import fmt_date
from bot.i18n import t, tn
from bot.services.announce_sources import Exemplar
from bot.text import esc, plain
from storage.models.channels import ChatBinding

HEADINGS = {"exemplars": "announce-tpl-heading", "good_deeds": "announce-tpl-heading-deeds"}


def draft(
    source: str, exemplars: Sequence[Exemplar], decision: tuple[str, date] | None, locale: str | None = None
) -> str:
    """A heading, the decision when there is one, the exemplars grouped by title, a closing line."""
    lines = [t(HEADINGS.get(source, "announce-tpl-heading"), locale=locale)]
    if decision is not None:
        lines.append(
            t("announce-tpl-decision", locale=locale, number=esc(decision[0]), date=fmt_date(decision[1]))
        )
    titles: dict[str, list[Exemplar]] = {}
    for e in exemplars:
        titles.setdefault(e.title, []).append(e)
    for title, items in titles.items():
        lines += ["", t("announce-tpl-title", locale=locale, title=esc(title))]
        for e in items:
            key = "announce-tpl-item-unit" if e.unit else "announce-tpl-item"
            lines.append(
                t(
                    key,
                    locale=locale,
                    who=esc(e.name),
                    unit=esc(e.unit or ""),
                    what=esc(e.achievement),
                )
            )
    lines += ["", t("announce-tpl-closing", locale=locale)]
    return "\n".join(lines)


def chat_label(b: ChatBinding, locale: str | None = None) -> str:
    key = "announce-target-channel" if b.chat_type == "channel" else "announce-target-group"
    return t(key, locale=locale, title=esc(b.title))


def chat_button(b: ChatBinding, locale: str | None = None) -> str:
    """The same words on a button: plain text, not HTML."""
    return plain(chat_label(b, locale))


def targets(
    bindings: Sequence[ChatBinding],
    staff: int | None,
    unit: tuple[str, int] | None,
    total: int,
    locale: str | None = None,
    *,
    messages: int = 1,
) -> str:
    """ "Thông báo sẽ được gửi đến: …" with the number of recipients, and of the messages each gets when
    the post is longer than one."""
    where = [chat_label(b, locale) for b in bindings]
    if staff is not None:
        where.append(tn("announce-target-staff", staff, locale=locale))
    if unit is not None:
        where.append(tn("announce-target-unit", unit[1], locale=locale, unit=esc(unit[0])))
    lines = [tn("announce-preview-where", total, locale=locale, where="; ".join(where))]
    if messages > 1:
        lines.append(tn("announce-preview-parts", messages, locale=locale))
    return "\n".join(lines)


def picked(n: int, locale: str | None = None) -> str:
    return tn("announce-picked", n, locale=locale)
