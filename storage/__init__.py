"""Persistence: models, repositories, the unit of work, migrations and the FSM storage."""
