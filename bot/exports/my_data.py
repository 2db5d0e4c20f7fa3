"""The file of a person's own data (/mydata), from MyDataService's rows: JSON, UTF-8, readable as it is."""

from __future__ import annotations

import json

from bot.clock import fmt_when
from bot.i18n import t
from bot.services.my_data import MyData


def my_data_file(data: MyData) -> tuple[str, bytes]:
    """(file name, content): a note in the person's language, the profile, then each section."""
    body = {
        "note": t("mydata-file-note", locale=data.language, when=fmt_when(data.made_at, data.language)),
        "made_at": data.made_at.isoformat(timespec="seconds"),
        "profile": data.profile,
        **data.sections,
    }
    name = f"thidua-du-lieu-ca-nhan-{data.made_at:%Y%m%d-%H%M}.json"
    return name, json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
