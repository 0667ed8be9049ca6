#!/usr/bin/env bash
# Start the local PostgreSQL and Redis if they are not running (CI's machine starts them,
# but a stopped one is started here rather than failing the run).
set -euo pipefail
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
# The database `make test-services` names (tests use their own test_* database beside it).
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='mcp_governance'" \
  | grep -q 1 || createdb -h 127.0.0.1 -U postgres mcp_governance
redis-cli -h 127.0.0.1 -p 6379 ping
