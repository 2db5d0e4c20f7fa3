"""Exports: the files the bot and the operator's commands write (.xlsx), from rows a service returns."""
