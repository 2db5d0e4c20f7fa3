"""Invites: a link that lets someone join with a role in a unit. Only the token's hash is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
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
