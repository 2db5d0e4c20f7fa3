"""Development tools, never run in production: the fake Bot API, the World/Chatter harness,
the offline console and its demo data."""
