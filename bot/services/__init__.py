"""Domain services: the rules, with no aiogram import. Each takes a `Ctx`."""
