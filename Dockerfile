# syntax=docker/dockerfile:1
# One image for every role: smarthabit api|bot|worker|scheduler|migrate|run.
# Dependencies come from the lock file (requirements/runtime.txt: every package pinned by pip-compile).
# The base images are pinned by tag; for a reproducible production build pin them by digest too
# (FROM python:3.11-slim-bookworm@sha256:...), taken from the registry you build against.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip install -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY smarthabit ./smarthabit
COPY api ./api
COPY bot ./bot
COPY tasks ./tasks
COPY launcher ./launcher
COPY web ./web
COPY migrations ./migrations
RUN /opt/venv/bin/pip install --no-deps .

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SMARTHABIT_ENV=production HOST=0.0.0.0 PORT=8080 MPLCONFIGDIR=/tmp/matplotlib
# Fonts for the /stats pictures: Latin, Cyrillic and Devanagari (Noto), CJK (Noto CJK), colour emoji (Noto
# Color Emoji, drawn by Pillow beside matplotlib's text) and symbols (Symbola, the outline fallback). The chart
# tests fail on any glyph drawn as a box and on emoji drawn without colour. libgomp1: the OpenMP runtime
# LightGBM's wheel links against (the skip model's trees) and does not bundle.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk \
    fonts-noto-color-emoji fonts-symbola libgomp1 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 smarthabit \
    && useradd --system --uid 10001 --gid smarthabit --home-dir /app --shell /usr/sbin/nologin smarthabit
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
RUN chown smarthabit:smarthabit /app
USER smarthabit
EXPOSE 8080
STOPSIGNAL SIGTERM
# The API answers /health on PORT; the other roles are probed on METRICS_PORT (see launcher/healthcheck.py).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-m", "launcher.healthcheck"]
ENTRYPOINT ["smarthabit"]
CMD ["api"]
