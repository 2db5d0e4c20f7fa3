"""The council's vote (issue 19): a round's voting, its members and dossiers, the sealed ballots, the results.

- `VotingRound`: the council's vote over a plan round (`scope` "round"), or a re-ballot of one dossier of an
  earlier vote (`scope` "rb<parent>:<nomination>", its own `closes_at`). UNIQUE(round_id, scope): one of
  each. `state`: preparing (the secretary sets the council) → open → closed → tallied, each step a
  conditional UPDATE. `rules` are the plan's values copied at opening (thresholds, quotas, nominable,
  criteria: bot/services/voting/rules.py); `key_salt` and `key_check` let the tally know the ballots were
  sealed with the same VOTE_SECRET (the secret itself is never stored); both are set to NULL at the tally, so
  a seal left over in a database page (a dead row, a free page) cannot be opened even with the secret. The
  minutes' figures: members, voters.
- `VotingMember`: the council of that vote. Before opening the secretary's additions and removals
  (`origin` added, `removed`); at opening the holders of the `council` role are added (`origin` role).
- `VotingDossier`: a nomination under vote, with the members recused from it (a nominee, a head of the
  nominated unit), found at opening.
- `Ballot`: one per (dossier, member): a fresh random `nonce` and `seal = HMAC(K, nonce ‖ dossier ‖ member ‖
  choice)`; no column holds the choice. Both are set to NULL at the tally. "Chưa quyết" is no row at all.
  `written`: the secretary entered an absent member's written vote.
- `VotingResult`: per dossier at the tally: the counts, the agree share as two integers, the outcome
  (passed | failed | over_quota | tied), its reasons and warnings, and a tie's settlement.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId, JsonType


class VotingState(StrEnum):
    PREPARING = "preparing"
    OPEN = "open"
    CLOSED = "closed"
    TALLIED = "tallied"


MAIN_SCOPE = "round"


def reballot_scope(parent_id: int, nomination_id: int) -> str:
    return f"rb{parent_id}:{nomination_id}"


class VotingRound(Base):
    __tablename__ = "voting_round"
    __table_args__ = (UniqueConstraint("round_id", "scope", name="uq_voting_round_round_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_round.id"), index=True)
    scope: Mapped[str] = mapped_column(String(40))  # round | rb<parent>:<nomination>
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("voting_round.id"))
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"))  # a re-ballot's dossier
    state: Mapped[str] = mapped_column(String(10), default=VotingState.PREPARING.value)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    rules: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    key_salt: Mapped[str | None] = mapped_column(String(32))
    key_check: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime | None]
    opened_early: Mapped[bool] = mapped_column(Boolean, default=False)
    closes_at: Mapped[datetime | None]  # a re-ballot's own close; the round's vote closes with the plan round
    closed_at: Mapped[datetime | None]
    tallied_at: Mapped[datetime | None]
    members_count: Mapped[int | None] = mapped_column(Integer)  # the minutes' figures, at the tally
    voters_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]


class VotingMember(Base):
    __tablename__ = "voting_member"
    __table_args__ = (UniqueConstraint("voting_id", "person_id", name="uq_voting_member_voting_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    voting_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    origin: Mapped[str] = mapped_column(String(6))  # role | added
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    changed_at: Mapped[datetime]


class VotingDossier(Base):
    __tablename__ = "voting_dossier"
    __table_args__ = (UniqueConstraint("voting_id", "nomination_id", name="uq_voting_dossier_voting_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    voting_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    commendation_code: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(12))  # individual | collective
    owner: Mapped[str] = mapped_column(String(24))  # p<person_id> | u<unit_id>
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    recused: Mapped[list[int]] = mapped_column(JsonType, default=list)  # member person ids
    position: Mapped[int] = mapped_column(Integer, default=0)


class Ballot(Base):
    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("dossier_id", "member_id", name="uq_ballot_dossier_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    voting_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("voting_dossier.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    nonce: Mapped[str | None] = mapped_column(String(32))
    seal: Mapped[str | None] = mapped_column(String(64))
    written: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    cast_at: Mapped[datetime]


class VotingResult(Base):
    __tablename__ = "voting_result"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    voting_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("voting_dossier.id"), unique=True)
    members: Mapped[int] = mapped_column(Integer)  # the dossier's council, recused members out (or not)
    voters: Mapped[int] = mapped_column(Integer)  # ballots cast: agree + disagree
    agree: Mapped[int] = mapped_column(Integer)
    disagree: Mapped[int] = mapped_column(Integer)
    share_num: Mapped[int] = mapped_column(Integer)  # agree over the threshold's base, exactly
    share_den: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(12))  # passed | failed | over_quota | tied
    rank: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    settled_outcome: Mapped[str | None] = mapped_column(String(12))  # a tie settled: passed | over_quota
    settled_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    settled_at: Mapped[datetime | None]
    settle_reason: Mapped[str | None] = mapped_column(Text)
