"""Bound chats and broadcasts (issue 14).

- `ChatBinding`: a group, supergroup or channel the bot was added to by someone in charge and bound for a
  purpose: the college's announcements ("college"), a unit's group ("unit", with `unit_id`) or the union's
  group ("union"). One row per chat; `active` false once unbound or retired (the bot lost its rights, was
  removed, or a post met 403, "chat not found" or "not enough rights"). Only active bindings receive posts.
  A group upgraded to a supergroup keeps its row, with the new `chat_id`. A supergroup joined by someone not
  in charge has a row with `retired_reason` "stranger" (no purpose, never listed) until the due work leaves
  it ("left") or a migration replaces it with the group's binding.
- `Broadcast`: one announcement. Its parts (an optional photo with its caption, then the texts) go through
  the outbox in batch `batch` (a re-send opens a new batch, `round` + 1). `targets` is what the sender chose
  (bound chats by binding id, every joined staff member, one unit); the recipients are chosen when it
  starts. A scheduled one found more than an hour late is "overdue": it waits for its sender's answer.
  `progress_row_id` is the outbox row of the sender's live progress message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId, JsonType


class ChatBinding(Base):
    __tablename__ = "chat_binding"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_type: Mapped[str] = mapped_column(String(12))  # group | supergroup | channel
    title: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str | None] = mapped_column(String(10))  # college | unit | union; None: not bound yet
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    bound_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    retired_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)


class Broadcast(Base):
    __tablename__ = "broadcast"
    __table_args__ = (Index("ix_broadcast_state_scheduled", "state", "scheduled_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    sender_chat_id: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(12))  # exemplars | good_deeds | text
    text: Mapped[str] = mapped_column(Text)  # HTML, as previewed
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    targets: Mapped[dict[str, Any]] = mapped_column(JsonType)
    state: Mapped[str] = mapped_column(String(10))  # scheduled | overdue | running | done | cancelled
    scheduled_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)
    progress_row_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    progress_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
