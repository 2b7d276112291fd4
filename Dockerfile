# syntax=docker/dockerfile:1.7
# SkillBridge container images.
#
#   docker build -t skillbridge .                                          the API (target "app", the default)
#   docker build --target matcher-service -t skillbridge-matcher .          the Rust matcher over HTTP on 8001
#
# The matcher image listens on 0.0.0.0:8001 (other containers must reach it), so it refuses to start without
# `-e MATCHER_TOKEN=<at least 16 bytes>`; give the API the same value as SKILLBRIDGE_MATCHER_TOKEN. Keep its
# port on a private network: the requests carry learners' coordinates.
#
# The API image starts in the production profile: at run time it needs at least SKILLBRIDGE_SECRET_KEY and
# SKILLBRIDGE_DATABASE_URL (PostgreSQL), and SKILLBRIDGE_REDIS_URL for the cache, realtime and jobs.
# It refuses to start without a secret of 32 bytes or more. `-e SKILLBRIDGE_PROFILE=embedded` runs it on SQLite,
# with a signing key generated at the first start in /app/var/secret_key (mount /app/var to keep it).
# The same image runs the background jobs: `docker run --no-healthcheck IMAGE worker` (Redis needed; it
# serves no HTTP, hence no health check), one container with the scheduler, more with `worker --no-scheduler`.

ARG RUST_VERSION=1.95
ARG PYTHON_VERSION=3.11
ARG DEBIAN_RELEASE=bookworm
ARG UV_VERSION=0.13.9
ARG MATURIN_VERSION=1.16.0

# ---------------------------------------------------------------------------------------------------------
# Rust: the matcher's Python extension (an abi3 wheel for CPython >= 3.11) and the HTTP service binary.
# Built on the same Debian release as the runtime images, so both link against the same glibc.
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS rust-build
ARG MATURIN_VERSION
# Debian's own python3 (3.11 on bookworm) only runs maturin; the abi3 wheel links no libpython.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/maturin \
    && /opt/maturin/bin/pip install --no-cache-dir "maturin==${MATURIN_VERSION}"
WORKDIR /build
COPY matcher-rs/ ./
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    cargo build --release --locked --bin matcher-service \
    && /opt/maturin/bin/maturin build --release --locked \
        --manifest-path crates/python/Cargo.toml --interpreter python3 --out /wheels

# ---------------------------------------------------------------------------------------------------------
# Python: a virtual environment with the locked dependencies, the project and the matcher wheel.
# Kept apart from the runtime image so that uv, its cache and the build front-ends stay out of it.
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS python-build
ARG UV_VERSION
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock file changes, not on every source edit. The
# image can trace (the tracing extra: OpenTelemetry), turned on by the OTEL_* variables.
COPY pyproject.toml uv.lock README.md ./
# The matcher is a path dependency in the lock; its metadata must be present even though its wheel comes
# from the Rust stage below.
COPY matcher-rs/crates/python/pyproject.toml matcher-rs/crates/python/README.md ./matcher-rs/crates/python/
RUN uv sync --frozen --no-dev --extra tracing --no-install-project --no-install-package skillbridge-matcher
COPY src/ ./src/
RUN uv sync --frozen --no-dev --extra tracing --no-editable --no-install-package skillbridge-matcher
COPY --from=rust-build /wheels/ /wheels/
RUN uv pip install --python /opt/venv/bin/python --no-deps /wheels/*.whl \
    && /opt/venv/bin/python -c "import skillbridge, skillbridge_matcher"

# ---------------------------------------------------------------------------------------------------------
# The matcher as an HTTP service (port 8001). No shell tools beyond Debian's base, no root. A container's
# loopback is its own, so it binds all interfaces here, explicitly; MATCHER_TOKEN is then required at run time.
FROM debian:${DEBIAN_RELEASE}-slim AS matcher-service
RUN groupadd --system --gid 10001 matcher \
    && useradd --system --uid 10001 --gid matcher --no-create-home --shell /usr/sbin/nologin matcher
COPY --from=rust-build /build/target/release/matcher-service /usr/local/bin/matcher-service
ENV MATCHER_BIND=0.0.0.0:8001 \
    RUST_LOG=info
USER 10001:10001
EXPOSE 8001
ENTRYPOINT ["/usr/local/bin/matcher-service"]

# ---------------------------------------------------------------------------------------------------------
# The API (default target). `docker run IMAGE migrate`, `... seed-demo` and the other CLI commands work too.
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS app
ENV PATH=/opt/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SKILLBRIDGE_PROFILE=production \
    SKILLBRIDGE_HOST=0.0.0.0 \
    SKILLBRIDGE_PORT=8000
RUN groupadd --system --gid 10001 skillbridge \
    && useradd --system --uid 10001 --gid skillbridge --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin skillbridge
COPY --from=python-build /opt/venv /opt/venv
WORKDIR /app
# ./var holds the SQLite file of the embedded profile; the only place the app user may write.
RUN mkdir -p /app/var && chown skillbridge:skillbridge /app/var
USER 10001:10001
EXPOSE 8000
# python, not curl: the slim image has no curl. Any error or non-200 answer marks the container unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4); sys.exit(r.status != 200)"]
ENTRYPOINT ["skillbridge"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
