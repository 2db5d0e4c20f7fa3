"""Repositories query and add. They never commit: the unit of work does."""
