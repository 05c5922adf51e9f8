# Builds with the classic builder and with BuildKit alike: no `# syntax=` line (it makes
# BuildKit fetch a frontend image from a registry) and no heredocs (BuildKit-only).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# Then the source, installed non-editable (the curated store and migrations ship inside).
COPY bot ./bot
COPY quotes ./quotes
COPY migrations ./migrations
RUN pip install --no-deps . && rm -rf /app/build

RUN useradd --create-home --uid 10001 coachbot && mkdir -p /data && chown coachbot /data
USER coachbot
WORKDIR /data

ENV PORT=3000 \
    DATABASE_URL=sqlite:////data/coachbot.db
EXPOSE 3000

# /healthz is on PORT in both modes: with Socket Mode (SLACK_APP_TOKEN) PORT serves nothing but
# /healthz, bound to 127.0.0.1, which this check reaches from inside the container.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)" || exit 1

# `docker run IMAGE` serves Slack; `docker run -p 3000:3000 IMAGE playground --host 0.0.0.0` is the playground.
ENTRYPOINT ["coachbot"]
CMD ["serve"]
