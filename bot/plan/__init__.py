"""The plan as data: a period's movements, titles, award forms, money, school years and rounds.

Pure: no database and no Telegram here. `parse_plan` reads a plan file; `calendar` puts its
dates on the clock; `views` renders loaded rows as text.
"""

from bot.plan.calendar import LOCAL_TZ
from bot.plan.loader import parse_plan, read_plan
from bot.plan.schema import (
    AwardForm,
    PlanError,
    PlanFile,
    PlanIssue,
    ReminderRule,
    Round,
    SchoolYear,
    Title,
)

__all__ = [
    "LOCAL_TZ",
    "AwardForm",
    "PlanError",
    "PlanFile",
    "PlanIssue",
    "ReminderRule",
    "Round",
    "SchoolYear",
    "Title",
    "parse_plan",
    "read_plan",
]
