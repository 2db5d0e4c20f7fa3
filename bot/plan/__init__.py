"""The plan as data: a period's movements, titles, award forms, money, school years and rounds.

Pure: no database and no Telegram here. `parse_plan` reads a plan file; `calendar` tells which
school year and rounds are current.
"""

from bot.plan.calendar import (
    LOCAL_TZ,
    current_rounds,
    current_school_year,
    format_moment,
    round_phase,
)
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
    "current_rounds",
    "current_school_year",
    "format_moment",
    "parse_plan",
    "read_plan",
    "round_phase",
]
