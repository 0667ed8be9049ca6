#!/bin/sh
# The part of the official postgres image's entrypoint that docker-compose.yml relies on:
# on first start (an empty data directory) create the cluster with POSTGRES_USER as its
# superuser and POSTGRES_PASSWORD as its password, create POSTGRES_DB, accept password
# connections from other containers; then run the server as the postgres user.
set -eu
if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (as for the official image)}"
  user="${POSTGRES_USER:-postgres}"
  db="${POSTGRES_DB:-$user}"
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # A server on a private socket only, so that pg_isready (the health check) does not
    # report ready before the database exists.
    init_socket="$(mktemp -d)"
    pg_ctl -D "$PGDATA" -w -s -o "-c listen_addresses='' -c unix_socket_directories=$init_socket" start
    echo 'CREATE DATABASE :"db";' | psql -v ON_ERROR_STOP=1 -q -h "$init_socket" \
      -U "$user" -d postgres --set db="$db"
    pg_ctl -D "$PGDATA" -w -s -m fast stop
    rmdir "$init_socket"
  fi
  echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
