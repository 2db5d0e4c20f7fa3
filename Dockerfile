# thidua: the bot in a slim image, run as a user without privileges (issue 22).
# Build: docker build -t thidua .   Run: see compose.yaml and docs/guide-operations.en.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY plans ./plans
RUN pip install ".[postgres,redis]" \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home thidua \
    && mkdir -p /data \
    && chown thidua:thidua /data

USER thidua
# SQLite by default, in the volume; compose sets PostgreSQL and Redis. Both listen addresses are the
# container's own: publish them only to the proxy and to the monitoring (never /metrics to the world).
ENV DATABASE_URL=sqlite+aiosqlite:////data/thidua.db \
    WEBHOOK_LISTEN=0.0.0.0:8080 \
    METRICS_LISTEN=0.0.0.0:9100
VOLUME ["/data"]
EXPOSE 8080 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/healthz', timeout=4)"]
STOPSIGNAL SIGTERM
# `thidua run` migrates the database at start, then polls, or serves the webhook when WEBHOOK_URL is set.
CMD ["thidua", "run"]
