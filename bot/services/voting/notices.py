"""What the vote says on its own initiative, as data; the wording is handed in (handlers/render/voting.py).

The texts and the buttons are registered once (`use_texts`, by handlers/voting.py, where the due work is):
a vote opens from the due work, from `WindowService.open_voting_early` and from the console alike, and each
finds them here. The button "Bỏ phiếu" (opening /review) comes with phase 2: until a `VotingMarkup` gives
it, the notices go without a button.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class TitleCount:
    name_vi: str
    name_en: str
    dossiers: int


@dataclass(frozen=True)
class OpeningNotice:
    """To a member: the vote is open, until when, how many dossiers per title (and how many they sit out)."""

    voting_id: int
    round_name_vi: str
    round_name_en: str
    closes: datetime
    titles: tuple[TitleCount, ...]
    recused: int = 0
    reballot: bool = False
    button: bool = False  # it comes with the "Bỏ phiếu" button


@dataclass(frozen=True)
class RefusedNotice:
    """To the secretaries: a vote could not open or be tallied (`reason`: a catalogue key)."""

    round_name_vi: str
    round_name_en: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultLine:
    nominee: str
    unit: str
    outcome: str  # passed | failed | over_quota | tied
    agree: int
    disagree: int
    voters: int
    members: int
    rank: int | None
    reasons: tuple[str, ...]
    warnings: tuple[dict[str, Any], ...]
    settled: bool = False
    dossier_id: int = 0


@dataclass(frozen=True)
class TitleResults:
    name_vi: str
    name_en: str
    quota: int | None
    lines: tuple[ResultLine, ...]
    tie_to: str = "chair"  # chair | reballot
    code: str = ""
    open_places: int = 0  # a tie's places left for the chair to fill (0: no tie waits)


@dataclass(frozen=True)
class ResultsView:
    """A vote's result as the secretary and the chair get it: per title, each nominee, and the minutes'
    figures (members, voters, ballots per dossier)."""

    voting_id: int
    round_name_vi: str
    round_name_en: str
    closed_at: datetime | None
    members: int
    voters: int
    titles: tuple[TitleResults, ...]
    reballot: bool = False
    names: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # title code -> (vi, en), for the criteria
    # the minutes' heading (issue 19): the review meeting set in /reminders, the chair, the secretaries
    meeting_at: datetime | None = None
    meeting_place: str | None = None
    chair: str = ""
    secretaries: tuple[str, ...] = ()


class VotingTexts(Protocol):
    def opened(self, notice: OpeningNotice, locale: str) -> str: ...

    def refused(self, notice: RefusedNotice, locale: str) -> str: ...

    def results(self, view: ResultsView, locale: str) -> list[str]: ...


class VotingMarkup(Protocol):
    def review(self, voting_id: int, locale: str) -> dict[str, Any] | None: ...


class NoButtons:
    """Until phase 2's /review exists: no "Bỏ phiếu" button."""

    def review(self, voting_id: int, locale: str) -> dict[str, Any] | None:
        return None


_REGISTERED: dict[str, Any] = {}


def use_texts(texts: VotingTexts, markup: VotingMarkup | None = None) -> None:
    """Register the wording (and the buttons) every opening and close words its messages with."""
    _REGISTERED["texts"] = texts
    _REGISTERED["markup"] = markup or NoButtons()


def registered() -> tuple[VotingTexts, VotingMarkup]:
    if "texts" not in _REGISTERED:
        raise LookupError("no wording for the vote's messages: import handlers.voting (it calls use_texts)")
    return _REGISTERED["texts"], _REGISTERED["markup"]
