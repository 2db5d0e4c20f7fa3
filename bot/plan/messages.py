"""Message templates for plan-file problems, keyed like the gettext catalogues (`plan-...`).

Each problem is a key plus parameters; the text is only made when it is shown. These English
templates are the stand-in until the keys move into `bot/locales/{vi,en}/plan.po`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES: dict[str, str] = {
    # the file itself
    "plan-yaml-invalid": "invalid YAML: {problem}",
    "plan-empty-file": "the file is empty",
    "plan-duplicate-key": "key {key} is written twice (first on line {first_line})",
    # shape (from pydantic's error types)
    "plan-missing": "missing field",
    "plan-unknown-field": "unknown field",
    "plan-expected-mapping": "expected a mapping of fields (key: value)",
    "plan-expected-list": "expected a list (lines starting with '- ')",
    "plan-expected-text": "expected a text",
    "plan-expected-integer": "expected a whole number",
    "plan-expected-number": "expected a number",
    "plan-expected-bool": "expected true or false",
    "plan-not-one-of": "must be one of {expected}",
    "plan-empty-text": "must not be empty",
    "plan-too-long": "too long (at most {max_length} characters)",
    "plan-too-few-items": "needs at least {min_length} item(s)",
    "plan-number-too-small": "must be more than {limit}",
    "plan-number-too-small-eq": "must be at least {limit}",
    "plan-number-too-big": "must be less than {limit}",
    "plan-number-too-big-eq": "must be at most {limit}",
    "plan-invalid": "{detail}",
    # values
    "plan-bad-code": "code '{value}' must be 1-32 of a-z, 0-9, '_' or '-', starting with a letter or digit",
    "plan-bad-date": "expected a date such as 2023-03-01 or 01/03/2023, got '{value}'",
    "plan-bad-moment": (
        "expected a date (2023-03-01 or 01/03/2023) or a local date and time "
        "(2023-03-01 17:00 or 01/03/2023 17:00), got '{value}'"
    ),
    "plan-datetime-not-date": "expected a date without a time, got '{value}'",
    "plan-bad-offset": "offset '{value}' must be a number followed by d, h or m, such as 7d, 1d or 3h",
    "plan-quota-over-100": "quota {value} % is over 100 %",
    "plan-quota-not-positive": "quota {value} % must be more than 0 %",
    "plan-threshold-range": "threshold {value} is outside 0–1 (write a share: 0.9 means 90 %)",
    "plan-school-year-code": "school year code '{value}' must read like 2022-2023 (two following years)",
    # order of dates
    "plan-date-before": "date before {other}",
    "plan-time-before": "time before {other}",
    "plan-same-day": "on the same day as {other} but not after it: give times, or a later day",
    "plan-outside-school-year": "date outside school year {school_year} ({start} – {end})",
    "plan-outside-period": "school year outside the period {start_year}–{end_year}",
    "plan-school-years-overlap": "school year {code} overlaps {other}",
    "plan-period-years": "end_year {end_year} is before start_year {start_year}",
    "plan-school-year-start": "school year {code} should start in {year}",
    # references and uniqueness
    "plan-duplicate-code": "code {code} is used twice (also at {other})",
    "plan-duplicate-level": "level {level} is used twice (also at {other})",
    "plan-unknown-title": "unknown title or award form {code} (known: {known})",
    "plan-unknown-school-year": "unknown school year {code} (known: {known})",
    "plan-quota-self": "a quota cannot be a share of the title itself",
    "plan-quota-title-needed": "a quota of base 'title' needs the title it is a share of",
    "plan-quota-title-unexpected": "a quota of base 'unit_staff' takes no title",
    "plan-duplicate-yearly-round": "school year {school_year} already has a yearly round ({other})",
    "plan-duplicate-final-round": "the period already has a final round ({other})",
    # money
    "plan-duplicate-effective-from": "another value takes effect on the same day ({other})",
    "plan-no-luong-co-so-at-start": "no lương cơ sở is in force on {day}, the start of the period",
    "plan-factor-subject-needed": "an award form's factor must say its subject: individual or collective",
    "plan-factor-subject-mismatch": "factor for {subject}, but this is given to {allowed}",
    # rules
    "plan-rule-unknown-kind": "unknown rule kind {kind} (known: {known})",
    "plan-rule-missing-param": "rule {kind} needs parameter {param}",
    "plan-rule-unknown-param": "rule {kind} takes no parameter {param} (it takes: {allowed})",
    "plan-rule-bad-param": "rule {kind}: {param} must be {expected}",
    "plan-duplicate-offset": "offset {value} is the same as {other}",
}


def render(key: str, params: Mapping[str, Any] | None = None) -> str:
    """The English text of a problem; an unknown key is shown as the key itself."""
    template = MESSAGES.get(key)
    if template is None:
        return key
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return template
