# One image for the web app, the worker and the migration job (see docker-compose.yml).
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries (PDF reports, letters, receipts, access packages) and the PostgreSQL
# client of the server's major version (pg_dump and pg_restore for `cravelynos backup` and
# `restore`), from the PostgreSQL project's own Debian repository.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] \
https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 cravelynos \
    && useradd --system --uid 10001 --gid cravelynos --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin cravelynos

# Only what the package needs: no .env, .data or .venv can end up in a layer.
WORKDIR /build
COPY pyproject.toml ./
COPY cli.py worker.py ./
COPY activities ./activities
COPY config ./config
COPY dev ./dev
COPY domain ./domain
COPY gateway ./gateway
COPY models ./models
COPY rendering ./rendering
COPY security ./security
COPY services ./services
COPY templates ./templates
COPY web ./web
COPY workflows ./workflows
RUN pip install . && rm -rf /build

# Data directory (encrypted document store) and the Temporal mTLS files, owned by the app user
# so that a fresh named volume mounted here inherits that ownership.
RUN mkdir -p /var/lib/cravelynos /etc/cravelynos/tls \
    && chown cravelynos:cravelynos /var/lib/cravelynos /etc/cravelynos/tls
ENV CRAVELYNOS_DATA_DIR=/var/lib/cravelynos
WORKDIR /var/lib/cravelynos

USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["cravelynos"]
CMD ["web"]
