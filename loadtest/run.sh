#!/usr/bin/env bash
# `make loadtest`: Shanghui on PostgreSQL with LOAD_PEOPLE people (default 1,000,000), served by granian on
# 127.0.0.1 only, with its worker, under locust's mix (loadtest/locustfile.py) for LOAD_SECONDS; then the
# figures against the targets (≥ 200 requests/s, p99 ≤ 500 ms, no error). Bounded: locust stops itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DATABASE_URL="${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/shanghui_load}"
export DJANGO_SETTINGS_MODULE=loadtest.settings HTTPS=0 ALLOWED_HOSTS=127.0.0.1
# The cache of a deployment this size: Redis (on this machine, as PostgreSQL). Django's file cache keeps 300
# entries and lists its directory on every write; the public intake's one-time challenge marks (one per
# request, kept two hours) pushed out sessions, search generations and the home page's counts, which every
# process then computed again (a fifth of PostgreSQL's CPU in one run, docs/benchmarks.md).
export REDIS_URL="${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/5}"
PORT="${LOAD_PORT:-8099}"
USERS="${LOAD_USERS:-360}"  # about 240 requests/s offered by the mix's waits
SECONDS_="${LOAD_SECONDS:-120}"
WORKERS="${LOAD_WORKERS:-3}"
THREADS="${LOAD_THREADS:-3}"
OUT=var/loadtest
mkdir -p "$OUT"

DBNAME="${DATABASE_URL##*/}"
psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1 \
  || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE $DBNAME"
$PY loadtest/prepare.py
$PY manage.py collectstatic --noinput -v 0

# granian keeps idle connections open (HTTP/1 keep-alive): gunicorn closed them after 2 s, just as a user
# paused 0.5–3 s sent its next request (connection resets, counted as failures, until --keep-alive 10).
.venv/bin/granian --interface wsgi shanghui.wsgi:application --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" \
  --blocking-threads "$THREADS" --log-level warning >"$OUT/granian.log" 2>&1 &
SERVER=$!
$PY manage.py worker --no-startup-delay >"$OUT/worker.log" 2>&1 &
WORKER=$!
trap 'kill $SERVER $WORKER 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/login/" && break; sleep 1; done

rm -f "$OUT/cpu.json"
$PY loadtest/cpu.py "$OUT/cpu.json" &  # where the cores go while locust runs
SAMPLER=$!
.venv/bin/locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  --users "$USERS" --spawn-rate 60 --run-time "${SECONDS_}s" --stop-timeout 10 \
  --csv "$OUT/result" --only-summary --loglevel WARNING || true
kill -TERM $SAMPLER && wait $SAMPLER || true
$PY loadtest/report.py "$OUT/result_stats.csv" "$OUT/result_failures.csv" "$OUT/cpu.json"
