"""Exports asked for in chat or by the operator (issue 21).

`ExportJob`: one file asked for: who asked (`person_id`; None from the CLI), the kind, the filter as chosen
(ids, codes and the scope of the person's grants at the time), the language of its headers. `state`:
queued → building (claimed by a conditional UPDATE: one process builds it) → sent (queued to the outbox
with `outbox_file_id`) | unsent (built, but the person can no longer be reached) | too_big (over
EXPORT_MAX_BYTES: nothing sent, the person told to narrow the
filter) | failed (`error`); `removed_at` once the retention removed its file and the outbox's bytes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId, JsonType


class ExportJob(Base):
    __tablename__ = "export_job"
    __table_args__ = (Index("ix_export_job_state", "state", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(24))
    filters: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(255))
    path: Mapped[str | None] = mapped_column(String(1000))
    size: Mapped[int | None] = mapped_column(BigInteger)
    rows: Mapped[int | None] = mapped_column(Integer)
    outbox_file_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_file.id"))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    built_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
