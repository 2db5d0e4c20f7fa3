"""thidua: a Telegram bot for emulation and commendation (thi đua – khen thưởng)."""
