"""Feature routers. Each module exposes `router() -> Router`, a fresh Router per call.

The order matters: specific flows first, the catch-all for outsiders and unknown input last.
"""

FEATURES: list[str] = [
    "errors",
    "decisions.link",  # /start obj<round>: the published list's deep link (issue 20), before join's /start
    "join",  # /start with an invite payload (people)
    "common",  # /start, /help, /cancel, /lang
    "people",  # admin in chat: /people, /units (people)
    "invite",  # /invite (people)
    "plan",  # /plan (plan)
    "difficulty",  # /difficulty, /difficulties
    "acknowledgement",  # "Xem kế hoạch", "Tôi đã đọc và quán triệt kế hoạch" (issue 11)
    "status",  # /status: acknowledged and registered, reminders (issue 11)
    "registration",  # /register, /pending, /registrations, /regwindow (issue 11)
    "good_deed",  # /gooddeed, /gooddeeds (issue 12)
    "nomination",  # /nominate, /nominations, /nomwindow (issue 12)
    "pending",  # /pending: each feature's part, registered with @pending_part
    "channels",  # the bot in groups and channels (my_chat_member), /channels (issue 14)
    "announce",  # /announce: broadcasts of commended exemplars (issue 14)
    "reminders",  # /reminders, /settings, the reminders' buttons and due work (issue 13)
    "voting",  # the council's vote: its due work today; /council, /review, /results next (issue 19)
    "my_data",  # /mydata: a person's own data, as a file (issue 22)
    "privacy",  # /forget: a person's personal data removed; the retention's due work (issue 22)
    "decisions",  # /object, /objections, /decide, /summary, /history (issue 20)
    "documents",  # /budget, /papers, /fund, /stats, /blank: papers, certificates, money, charts (issue 21)
    "exports",  # /export: lists as Excel files, built after the commit, sent through the outbox (issue 21)
    "fallback",  # must stay last
]
