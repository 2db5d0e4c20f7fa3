"""Every export kind shipped: importing this module registers them all (bot/exports/registry.py).

A new kind is a module of bot/exports/ that calls `@export_kind(...)`; add its name here, in the order
/export lists them (each kind's `order=` decides; this list only imports).
"""

from __future__ import annotations

import importlib

KIND_MODULES: tuple[str, ...] = (
    "participation",
    "good_deeds",
    "nominations",
    "decisions",
    "documents_kinds",
    "paper_kinds",
)


def load() -> None:
    for name in KIND_MODULES:
        importlib.import_module(f"bot.exports.{name}")


load()
