"""Word documents from a context (docxtpl): pure, rows in, bytes out.

`render_docx(kind, context, templates_dir)` renders the secretary's `<kind>.docx` from `templates_dir` when
there is one, else the shipped template (bot/exports/word_templates.py). Since the secretary may replace a
template, it is rendered in Jinja's sandbox, with autoescaping (a summary with `<` or `&` stays as written)
and strict undefined names. A template that lacks a placeholder its kind needs, uses a name the context
does not have, or does not parse raises `TemplateProblem` naming the template and the placeholder: the
caller shows it; nothing else stops.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.errors import DomainError
from bot.exports.word_templates import REQUIRED, shipped
from bot.text import esc

log = logging.getLogger(__name__)
KINDS = tuple(REQUIRED)


class TemplateProblem(DomainError):
    """key: documents-template-missing (name) | documents-template-unknown-name (name) |
    documents-template-broken (detail); `template` is the file's name."""

    key = "documents-template-broken"


def template_bytes(kind: str, templates_dir: str | Path | None) -> tuple[str, bytes]:
    """(the template's name as the secretary knows it, its bytes)."""
    if kind not in REQUIRED:
        raise ValueError(f"unknown document kind {kind!r}")
    if templates_dir:
        path = Path(templates_dir) / f"{kind}.docx"
        if path.is_file():
            return esc(path.name), path.read_bytes()
    return f"{kind}.docx", shipped(kind)


def _env():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _parsed(kind: str, templates_dir: str | Path | None, env: Any) -> tuple[str, Any]:
    """(the template's name, the DocxTemplate) once it parses and holds every placeholder its kind needs."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    name, data = template_bytes(kind, templates_dir)
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        used = tpl.get_undeclared_template_variables(env)
    except TemplateError as e:
        raise TemplateProblem("documents-template-broken", template=name, detail=esc(str(e)[:200])) from e
    except Exception as e:  # not a .docx, a zip without document.xml, …
        log.warning("template %s unreadable: %s", name, e)
        raise TemplateProblem("documents-template-broken", template=name, detail=type(e).__name__) from e
    missing = [p for p in REQUIRED[kind] if p not in used]
    if missing:
        raise TemplateProblem("documents-template-missing", template=name, name=", ".join(missing))
    return name, tpl


def check_template(kind: str, templates_dir: str | Path | None = None) -> None:
    """Raise `TemplateProblem` now if the template does not parse or lacks a placeholder (a cheap read:
    what /papers answers at once; a name the context lacks shows only when rendering)."""
    _parsed(kind, templates_dir, _env())


def render_docx(kind: str, context: Mapping[str, Any], templates_dir: str | Path | None = None) -> bytes:
    from jinja2 import TemplateError, UndefinedError
    from jinja2.sandbox import SecurityError

    env = _env()
    name, tpl = _parsed(kind, templates_dir, env)
    try:
        tpl.render(dict(context), jinja_env=env, autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
    except UndefinedError as e:
        unknown = str(e).split("'")[1] if "'" in str(e) else str(e)
        raise TemplateProblem("documents-template-unknown-name", template=name, name=esc(unknown[:80])) from e
    except (TemplateError, SecurityError) as e:
        raise TemplateProblem("documents-template-broken", template=name, detail=esc(str(e)[:200])) from e
    except Exception as e:
        log.warning("template %s failed: %s", name, e)
        raise TemplateProblem("documents-template-broken", template=name, detail=type(e).__name__) from e
    return out.getvalue()


def write_templates(folder: str | Path) -> list[Path]:
    """The shipped templates written to `folder` for the secretary to start from."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = out / f"{kind}.docx"
        path.write_bytes(shipped(kind))
        written.append(path)
    return written
