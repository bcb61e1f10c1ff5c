# syntax=docker/dockerfile:1
# TAF application image. Build: docker build -t taf-app .   (docs/DEPLOY.md)
FROM python:3.12-slim

# PYTHONPATH=/app: import /app/server (not the site-packages copy) whatever the working directory,
# because server/config.py finds alembic.ini and the migrations relative to its own location.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    TAF_ROOT=/app \
    TAF_ENV=production \
    TAF_HOST=0.0.0.0 \
    TAF_PORT=8000

# Unprivileged runtime user; the code stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 taf \
 && useradd --system --uid 10001 --gid taf --create-home --home-dir /home/taf \
        --shell /usr/sbin/nologin taf

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
# requirements.lock also pins the test tools (pytest, ruff, ...); see docs/DEPLOY.md.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The project itself (hatchling needs README.md; server/db/migrate.py reads alembic.ini next to server/).
COPY pyproject.toml README.md alembic.ini ./
COPY server/ server/
COPY notifications/ notifications/
RUN pip install --no-cache-dir --no-deps .

# Data folders read at run time from TAF_ROOT.
COPY graphql/ graphql/
COPY policies/ policies/
COPY web/ web/

USER 10001:10001
EXPOSE 8000

# Liveness only; compose checks /readyz (database reachable) instead.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TAF_PORT', '8000'), timeout=3)"]

# Runs Alembic migrations (under an advisory lock), then serves uvicorn on TAF_HOST:TAF_PORT.
CMD ["python", "-m", "server", "serve"]
