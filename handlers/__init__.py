"""Feature routers. Each module exposes `router() -> Router`, a fresh Router per call.

The order matters: specific flows first, the catch-all for outsiders and unknown input last.
"""

FEATURES: list[str] = [
    "errors",
    "join",  # /start with an invite payload (people)
    "common",  # /start, /help, /cancel, /lang
    "people",  # admin in chat: /people, /units (people)
    "invite",  # /invite (people)
    "plan",  # /plan (plan)
    "difficulty",  # /difficulty, /difficulties
    "registration",  # /register, /pending, /registrations, /regwindow (issue 11)
    "fallback",  # must stay last
]
