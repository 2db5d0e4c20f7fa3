"""Invites: links that let someone join with a role in a unit (only the token hash is kept); join claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId


class Invite(Base):
    """A use is consumed only when a join completes (see InvitesRepo.consume)."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # person id; None for the CLI
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # a unit head's invite that replaces the unit's head: that person's head role ends the day it is used
    replaces_id: Mapped[int | None] = mapped_column(BigInteger)  # person id


class JoinClaim(Base):
    """One Telegram account saying it is one roster person, through a unit's shared invite; or, with no
    person yet (`person_id` empty, `full_name` and `unit_id` typed), someone not on the roster asking to join.

    The tries at the date of birth are counted here (so they survive /cancel), a claim waiting for the unit
    head's confirmation waits here (the account is linked to nobody meanwhile: it is in no audience), and a
    completed join keeps the roles it granted, so that the head's "not this person" can undo exactly that
    join.
    state: open (tries so far) | verified (the date of birth matched) | pending (waiting for the head)
           | linked (joined) | refused (the head said no, or unlinked the account)
    """

    __tablename__ = "join_claim"
    __table_args__ = (UniqueConstraint("telegram_id", "person_id", name="uq_join_claim_account_person"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))  # someone not on the roster: the unit
    full_name: Mapped[str | None] = mapped_column(String(100))  # someone not on the roster: the name typed
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invite.id", ondelete="SET NULL"))
    account_name: Mapped[str] = mapped_column(String(200), default="")  # the Telegram name, as shown to heads
    state: Mapped[str] = mapped_column(String(10), default="open")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    granted: Mapped[str | None] = mapped_column(String(200))  # roles the join granted, comma-separated
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
