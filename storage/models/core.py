"""Core tables: units, people and roles, processed updates, FSM, the outbox and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.db import Base, BigId


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # phong | khoa | trung_tam | doan_the
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Person(Base):
    """A person of the roster. People exist before they join; `telegram_id` links them."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    name_search: Mapped[str] = mapped_column(String(100), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(120))
    hr_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(10), default="roster")  # roster | invite | cli
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    menu_fingerprint: Mapped[str | None] = mapped_column(String(64))  # of the menu last set (bot.menus)

    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class PersonRole(Base):
    """A role held by a person; `unit_id` scopes unit roles, the dates bound a delegation."""

    __tablename__ = "person_role"
    __table_args__ = (UniqueConstraint("person_id", "role", "unit_id", "valid_from", name="uq_person_role"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="roles")


class ProcessedUpdate(Base):
    """Update ids already handled (kept 24 h) so a redelivered update is handled once."""

    __tablename__ = "processed_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class FsmRecord(Base):
    __tablename__ = "fsm_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class OutboxFile(Base):
    """Content the outbox uploads once: bytes or a path, and the `file_id` Telegram gave it.

    One row per content (sha256, kind, name), however many messages carry it; a batch of 500 shares it.
    The `file_id` belongs to the bot that uploaded it (`bot_id`); another bot uploads again.
    """

    __tablename__ = "outbox_file"
    __table_args__ = (UniqueConstraint("sha256", "kind", "name", name="uq_outbox_file_content"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # document | photo
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # the bytes, or None when `path` holds them
    path: Mapped[str | None] = mapped_column(String(1000))
    bot_id: Mapped[int | None] = mapped_column(BigInteger)
    file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message the bot sends on its own initiative; the sender drains these at Telegram's pace."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40), default="notice")
    # message | document | photo | edit (text, or the caption of a media row) | edit_caption
    method: Mapped[str] = mapped_column(String(20), default="message")
    text: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(255))
    outbox_file_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_file.id"))  # an upload
    reply_markup: Mapped[dict[str, Any] | None]
    # pending | sending | sent | failed | blocked | cancelled
    status: Mapped[str] = mapped_column(String(10), default="pending")
    error: Mapped[str | None] = mapped_column(String(40))  # machine-readable: forbidden, chat_not_found, ...
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    edit_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    edit_message_id: Mapped[int | None] = mapped_column(BigInteger)  # an edit of a message not in the outbox
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    # Retried (5xx, network) until then, then given up (status failed, error gave_up); empty: created_at +
    # OUTBOX_GIVE_UP_AFTER. A reminder's is its deadline.
    expires_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # the sender's process id (process_heartbeat)

    # Lets an edit be queued in the same update as the message it edits, before either has an id.
    edit_of: Mapped[OutboxMessage | None] = relationship(remote_side=[id], lazy="raise")


class ProcessHeartbeat(Base):
    """A running outbox sender: its random id and when it last said it was alive. A sender starting releases
    the rows claimed by ids whose heartbeat stopped (bot/sender.py)."""

    __tablename__ = "process_heartbeat"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]


class AuditEntry(Base):
    """Append-only: who, when, action, object, before and after. Never updated, never deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # person id; None for the system
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
