# syntax=docker/dockerfile:1
# One image for every role: smarthabit api|bot|worker|scheduler|migrate|run.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY smarthabit ./smarthabit
COPY api ./api
COPY bot ./bot
COPY tasks ./tasks
COPY launcher ./launcher
COPY migrations ./migrations
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --upgrade pip && /opt/venv/bin/pip install .

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SMARTHABIT_ENV=production HOST=0.0.0.0 PORT=8080 MPLCONFIGDIR=/tmp/matplotlib
RUN groupadd --system --gid 10001 smarthabit \
    && useradd --system --uid 10001 --gid smarthabit --home-dir /app --shell /usr/sbin/nologin smarthabit
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
RUN chown smarthabit:smarthabit /app
USER smarthabit
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8080\")}/health', timeout=2)"]
ENTRYPOINT ["smarthabit"]
CMD ["api"]
