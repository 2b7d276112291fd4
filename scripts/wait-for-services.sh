#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis servers that the test suite uses answer on 127.0.0.1, starting
# either one that does not, and wait (bounded) until both do. Exits non-zero if one never answers:
# CI must fail, not skip, when a service is missing.
#
#   scripts/wait-for-services.sh     (WAIT_SECONDS=60, PG_HOST/PG_PORT/REDIS_HOST/REDIS_PORT overridable)
set -euo pipefail

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_DATABASE="${PG_DATABASE:-test}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"

need() {
    command -v "$1" >/dev/null || { echo "wait-for-services: '$1' not found; $2 is not installed" >&2; exit 1; }
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_up() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

start_postgres() {
    need pg_ctlcluster PostgreSQL
    echo "wait-for-services: PostgreSQL does not answer on $PG_HOST:$PG_PORT; starting it"
    local conf
    for conf in /etc/postgresql/*/main; do
        [[ -d "$conf" ]] || continue
        # Fails harmlessly ("already running") for a cluster that is up but was not yet ready.
        pg_ctlcluster --skip-systemctl-redirect "$(basename "$(dirname "$conf")")" main start || true
    done
}

start_redis() {
    need redis-server Redis
    echo "wait-for-services: Redis does not answer on $REDIS_HOST:$REDIS_PORT; starting it"
    # An in-memory server for tests: nothing saved to disk.
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no || true
}

wait_for() {
    local name="$1" probe="$2" waited=0
    until "$probe"; do
        if (( waited >= WAIT_SECONDS )); then
            echo "wait-for-services: $name did not answer within ${WAIT_SECONDS}s" >&2
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "wait-for-services: $name is up"
}

need pg_isready "the PostgreSQL client"
need redis-cli "the Redis client"

pg_up || start_postgres
redis_up || start_redis
wait_for PostgreSQL pg_up
wait_for Redis redis_up

# The test database (trust auth as user postgres); created only if it is missing.
if need psql "the PostgreSQL client" \
    && [[ "$(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != 1 ]]; then
    echo "wait-for-services: creating database $PG_DATABASE"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres "$PG_DATABASE"
fi
