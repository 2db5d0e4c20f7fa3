"""A YAML syntax error as an operator can act on it: the line to look at, and what is wrong, as a text key.

PyYAML reports where its reading stopped (`problem_mark`), which is often the line after the mistake (a
missing ':' is found on the next line), and in English. The common mistakes are recognised and pointed at
the line where they are made (the key without ':', the quote or bracket left open); anything else keeps the
parser's own words and line. The texts are `yaml-*` keys of bot/locales/<lang>/cli.po.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


@dataclass(frozen=True)
class YamlProblem:
    line: int | None  # 1-based
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str | None = None) -> str:
        from bot.i18n import t

        return t(self.key, locale=locale, **self.params)


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _scalar_start(text: str, mark: Any) -> int | None:
    """The line where the plain text just before `mark` began (a scalar may run over several lines)."""
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        pass
    return _line(last.start_mark) if last is not None else None


def yaml_problem(exc: yaml.YAMLError, text: str | None = None) -> YamlProblem:
    """What is wrong and on which line; with the file's `text`, a ':' forgotten before a blank line or a
    comment is found too (the words after it are read as the same text, up to the next ':')."""
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    at = _line(getattr(exc, "problem_mark", None))
    began = _line(getattr(exc, "context_mark", None)) or at
    if "could not find expected ':'" in problem:
        return YamlProblem(began, "yaml-missing-colon")
    if problem.startswith("found character '\\t'"):
        return YamlProblem(at, "yaml-tab")
    if "quoted scalar" in context:
        return YamlProblem(began, "yaml-unclosed-quote")
    if "flow mapping" in context or "flow sequence" in context:
        return YamlProblem(began, "yaml-unclosed-bracket", {"bracket": "{" if "mapping" in context else "["})
    if "mapping values are not allowed" in problem:
        mark = getattr(exc, "problem_mark", None)
        start = _scalar_start(text, mark) if text is not None and mark is not None else None
        if start is not None and at is not None and start < at:
            return YamlProblem(start, "yaml-missing-colon")
        return YamlProblem(at, "yaml-colon-in-value")
    if problem.startswith(("expected <block end>", "did not find expected key", "did not find expected '-'")):
        return YamlProblem(at, "yaml-indent")
    words = f"{problem} ({context})" if problem and context else problem or context or str(exc)
    return YamlProblem(at or began, "yaml-other", {"problem": words})
