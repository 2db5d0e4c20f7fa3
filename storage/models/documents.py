"""What the documents keep (issue 21).

- `FundEntry`: the emulation fund's income (quỹ thi đua, khen thưởng): an amount the college sets aside, in
  đồng, on a day, with its source. Spending is not stored here: it is each decision's money (the
  commendations), and a recovered revocation comes back as income, both read from the decisions' rows.
- `CertificateLayout`: where each field of a pre-printed blank (phôi giấy khen) prints, in millimetres,
  remembered per blank by its name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId


class FundEntry(Base):
    __tablename__ = "fund_entry"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)  # the calendar year of `day`
    day: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)  # đồng, > 0
    source: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]


class CertificateLayout(Base):
    __tablename__ = "certificate_layout"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    data: Mapped[dict[str, Any]]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    updated_at: Mapped[datetime]
