#!/usr/bin/env bash
# make bench: measures CareCoord at scale from outside, in one command.
# Prepares its own database (carecoord_bench, created when missing, with the
# roles of .ci/postgres.sh), loads the scale tenants once (bigcare: 100,000
# patients; smallcare: 1,000 of the same shape, for the growth ratio), starts
# the server in record mode beside its yardstick, runs the open-loop mix on
# both tenants, compares each read page with the yardstick, searches the
# capacity, prints the tables and stops the server. Exits non-zero when any
# step or any request fails. See docs/performance.md.
#
# Knobs (environment): BENCH_DB, BENCH_ADDR, BENCH_YARDSTICK_ADDR,
# BENCH_PATIENTS (100000), BENCH_RATE (50 arrivals/s), BENCH_DURATION (60s),
# BENCH_CAPACITY (1: search the capacity; 0: skip it).
set -euo pipefail

db=${BENCH_DB:-carecoord_bench}
addr=${BENCH_ADDR:-127.0.0.1:8180}
yardstick=${BENCH_YARDSTICK_ADDR:-127.0.0.1:8181}
patients=${BENCH_PATIENTS:-100000}
rate=${BENCH_RATE:-50}
duration=${BENCH_DURATION:-60s}
capacity=${BENCH_CAPACITY:-1}

say() { printf 'bench: %s\n' "$*"; }

bash .ci/postgres.sh
owner_url=postgres://carecoord_owner:carecoord_owner@127.0.0.1:5432
if [ -z "$(psql -w "$owner_url/postgres" -Atc "select 1 from pg_database where datname = '$db'")" ]; then
  say "creating database $db"
  psql -w "$owner_url/postgres" -qc "create database $db"
fi
export DATABASE_URL=postgres://carecoord_app:carecoord_app@127.0.0.1:5432/$db
export MIGRATE_DATABASE_URL=$owner_url/$db

go build -o bin/carecoord ./cmd/carecoord
go build -o bin/carecoord-load ./cmd/carecoord-load
bin/carecoord migrate up

# The scale data is loaded once; later runs reuse it.
loaded() { [ -n "$(psql -w "$MIGRATE_DATABASE_URL" -Atc "select 1 from tenants where slug = '$1'")" ]; }
if loaded bigcare; then say "bigcare is already loaded"; else
  bin/carecoord seed scale -tenant bigcare -patients "$patients" -coordinators 30
fi
if loaded smallcare; then say "smallcare is already loaded"; else
  bin/carecoord seed scale -tenant smallcare -patients 1000 -coordinators 30
fi

log=bin/bench-server.log
say "starting the server on $addr (yardstick on $yardstick; log in $log)"
ADDR=$addr YARDSTICK_ADDR=$yardstick LOG_LEVEL=warn bin/carecoord serve >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done

args=(-url "http://$addr" -tenants bigcare,smallcare -rate "$rate" -duration "$duration"
  -pid "$server" -yardstick "http://$yardstick")
[ "$capacity" = 1 ] && args+=(-capacity)
bin/carecoord-load "${args[@]}"
