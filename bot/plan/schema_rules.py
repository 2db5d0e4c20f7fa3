"""The criteria rules' kinds as data: each kind's parameters and what each accepts, with the ratings,
initiative scopes and kinds, and disciplinary measures the rules name. `schema_checks` checks a plan's
rules against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from bot.plan.messages import Phrase
from bot.plan.schema_values import CODE_RE

# ---------------------------------------------------------------------------------------------
# Criteria rule kinds

# lowest first: "min" of a rule means this rating or a higher one
TASK_RATINGS = ("khong_hoan_thanh", "hoan_thanh_nhiem_vu", "hoan_thanh_tot", "hoan_thanh_xuat_sac")
INITIATIVE_SCOPES = ("co_so", "tinh", "toan_quoc")
INITIATIVE_KINDS = ("sang_kien", "de_tai")  # a recognised initiative; an accepted research project
# lightest first: "from" of no_discipline means this measure or a heavier one
DISCIPLINE_MEASURES = ("khien_trach", "canh_cao", "ha_bac_luong", "giang_chuc", "cach_chuc", "buoc_thoi_viec")


@dataclass(frozen=True)
class ParamSpec:
    kind: Literal["code", "count", "percent", "choice", "bool", "text", "rules"]
    required: bool = True
    choices: tuple[str, ...] = ()

    def accepts(self, value: Any) -> bool:
        if self.kind == "code":
            return isinstance(value, str) and bool(CODE_RE.fullmatch(value))
        if self.kind == "count":
            return isinstance(value, int) and not isinstance(value, bool) and value >= 1
        if self.kind == "percent":
            number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
            return number and 0 < value <= 100
        if self.kind == "choice":
            return value in self.choices
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "rules":
            return isinstance(value, list) and len(value) >= 2 and all(isinstance(v, dict) for v in value)
        return isinstance(value, str) and bool(value.strip())

    def expected(self) -> Phrase:
        return Phrase(f"plan-expect-{self.kind}", {"choices": ", ".join(self.choices)})


RULE_KINDS: dict[str, dict[str, ParamSpec]] = {
    # the person's (or the collective's) own rating of the year
    "task_rating": {"min": ParamSpec("choice", choices=TASK_RATINGS)},
    # has held a title (this year, or this many years in a row up to this year)
    "holds_title": {"title": ParamSpec("code"), "consecutive_years": ParamSpec("count", required=False)},
    # has been given an award form (within the last N years, if given)
    "holds_award": {"award": ParamSpec("code"), "within_years": ParamSpec("count", required=False)},
    # an initiative (sáng kiến) or research (đề tài) recognised at a scope (either kind, unless `kind`)
    "initiative": {
        "scope": ParamSpec("choice", choices=INITIATIVE_SCOPES),
        "count": ParamSpec("count", required=False),
        "kind": ParamSpec("choice", required=False, choices=INITIATIVE_KINDS),
    },
    # for collectives: the members' ratings and titles, "at least" (min_percent) or "more than" a share
    "members_task_rating": {
        "min": ParamSpec("choice", choices=TASK_RATINGS),
        "min_percent": ParamSpec("percent", required=False),
        "more_than_percent": ParamSpec("percent", required=False),
    },
    "members_with_title": {
        "title": ParamSpec("code"),
        "min_percent": ParamSpec("percent", required=False),
        "more_than_percent": ParamSpec("percent", required=False),
        "min_count": ParamSpec("count", required=False),
    },
    # no disciplinary measure from `from` up (default: any); for collectives on no member (members: true)
    "no_discipline": {
        "members": ParamSpec("bool", required=False),
        "from": ParamSpec("choice", required=False, choices=DISCIPLINE_MEASURES),
    },
    # a criterion the council judges from its text
    "text": {"vi": ParamSpec("text"), "en": ParamSpec("text", required=False)},
    # at least one of two or more rules (each a {kind, params} of its own)
    "any_of": {"rules": ParamSpec("rules")},
}
# what one of these rules needs at least one of
_ONE_OF = {
    "members_task_rating": ("min_percent", "more_than_percent"),
    "members_with_title": ("min_percent", "more_than_percent", "min_count"),
}
_RULE_REFERENCES = {"holds_title": "title", "holds_award": "award", "members_with_title": "title"}
