"""Rendering beside the handlers: one module per feature, `handlers/render/<feature>.py`.

A render module turns what a service returns (views, rows) into the HTML texts people see. It imports no
aiogram, so a service can be handed one (as it is handed the buttons) to word what it queues in the outbox.
"""
