#!/usr/bin/env bash
# Makes sure a local PostgreSQL serves CareCoord: starts an installed but
# stopped Debian cluster, installs Debian's postgresql when it is missing (as
# root), then creates the app's roles and database when they are missing.
# Used by `make run`, `make test` and CI. Safe to run again: it changes nothing
# that is already in place.
#
# Roles (local development passwords equal the role names):
#   carecoord_owner  owns the schema and runs migrations; may create databases
#                    (the test harness clones one per test)
#   carecoord_app    what the app signs in as: not a superuser, no BYPASSRLS,
#                    owns nothing, so row-level security always applies
set -euo pipefail

host=127.0.0.1
port=5432
db=carecoord

say() { printf 'postgres: %s\n' "$*"; }
die() { printf 'postgres: %s\n' "$*" >&2; exit 1; }

reachable() { pg_isready -q -h "$host" -p "$port" -t 3 >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }

start_cluster() {
  local clusters
  clusters=$(ls /etc/postgresql 2>/dev/null || true)
  [ -n "$clusters" ] || return 1
  for version in $clusters; do
    say "starting the installed PostgreSQL $version cluster"
    if is_root || [ "$(id -un)" = postgres ]; then
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    else
      sudo -n pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    fi
  done
  for _ in $(seq 1 30); do reachable && return 0; sleep 1; done
  return 1
}

install_postgres() {
  is_root || die "PostgreSQL is not installed and this is not root. Install it with:
    sudo apt-get install -y postgresql
then run this command again."
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is missing. Install PostgreSQL 15 or newer listening on $host:$port, then run this command again."
  say "installing Debian's postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

# admin_psql runs psql as a superuser, by whichever way this machine allows:
# trust over TCP (developer machines, CI), or the postgres OS user's peer
# authentication over the socket (a fresh Debian install).
admin_psql() {
  if PGCONNECT_TIMEOUT=3 psql -w -h "$host" -p "$port" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    psql -w -h "$host" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  elif is_root && id postgres >/dev/null 2>&1; then
    runuser -u postgres -- psql -p "$port" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  elif PGCONNECT_TIMEOUT=3 psql -w -p "$port" -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    psql -w -p "$port" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  else
    die "cannot connect to PostgreSQL as a superuser to create CareCoord's roles. Create them once by hand:
    create role carecoord_owner login createdb password 'carecoord_owner';
    create role carecoord_app login password 'carecoord_app';
    create database carecoord owner carecoord_owner;"
  fi
}

if ! command -v pg_isready >/dev/null 2>&1 || ! reachable; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null || true)" ]; then
    install_postgres
  fi
  reachable || start_cluster || die "PostgreSQL is installed but does not answer on $host:$port. Start it (pg_ctlcluster <version> main start) and run this command again."
fi

admin_psql <<SQL
select 'create role carecoord_owner login createdb password ''carecoord_owner'''
 where not exists (select 1 from pg_roles where rolname = 'carecoord_owner')
\gexec
select 'create role carecoord_app login nosuperuser nobypassrls password ''carecoord_app'''
 where not exists (select 1 from pg_roles where rolname = 'carecoord_app')
\gexec
select 'create database $db owner carecoord_owner'
 where not exists (select 1 from pg_database where datname = '$db')
\gexec
SQL
say "ready on $host:$port (database $db)"
