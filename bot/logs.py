"""Log lines as text or as JSON (LOG_FORMAT, issue 22), with the secrets redacted either way.

A JSON line is one object: `ts` (UTC, ISO 8601), `level`, `logger`, `message`, the fields a record carries
in `extra` (for each update: `update_id`, `update_type`, `person_id`, `handler`, `latency_ms`, `outcome`;
see bot/observe.py), and `exc` for a traceback. The redaction filter (bot/telegram.py) has already
replaced the bot token, the webhook secret and the vote key in the message and the traceback; the
formatter replaces them once more in the whole line, fields included. Nothing at INFO holds a message's
text: the update's line names the handler, never what the person wrote.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The attributes every LogRecord has; anything else on a record came through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets or [] if s]

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | str | bool | None) else repr(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        line = json.dumps(entry, ensure_ascii=False)
        for secret in self.secrets:
            line = line.replace(secret, "***")
        return line


def formatter(log_format: str, secrets: list[str]) -> logging.Formatter:
    return JsonFormatter(secrets) if log_format == "json" else logging.Formatter(TEXT_FORMAT)
