#!/bin/sh
# As the official image's entrypoint: flags alone mean redis-server; the server runs as the
# redis user; any other command runs as given.
set -eu
if [ "${1#-}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
  shift
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis .
    exec setpriv --reuid=redis --regid=redis --init-groups \
      redis-server --protected-mode no --daemonize no "$@"
  fi
  exec redis-server --protected-mode no --daemonize no "$@"
fi
exec "$@"
