#!/usr/bin/env bash
# A Docker engine and the local base images, for the compose test
# (tests/services/test_compose_docker.py; docker/README.md). CI's machine starts without an
# engine, and Docker Hub cannot be reached. Each step is done only when needed, so a second
# run takes a second or two:
#   1. Debian's docker.io, docker-compose (Compose v1, `docker-compose`) and debootstrap;
#   2. dockerd in the background, waited for;
#   3. the base images (docker/build-base-images.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

took() { echo "docker: $1 took $((SECONDS - $2)) s"; }

step=$SECONDS
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null \
   || ! command -v debootstrap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io docker-compose debootstrap \
    iptables ca-certificates >/dev/null
  took "installing docker.io, docker-compose and debootstrap" "$step"
fi

step=$SECONDS
if ! docker info >/dev/null 2>&1; then
  # Its own session, so that it outlives this script (and the make that ran it).
  setsid dockerd --log-level warn >/var/log/mcp-portal-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    echo "docker: dockerd did not start; its log:" >&2
    tail -n 30 /var/log/mcp-portal-dockerd.log >&2
    exit 1
  fi
  took "starting dockerd" "$step"
fi

bash docker/build-base-images.sh
echo "docker: $(docker version -f 'engine {{.Server.Version}}'), $(docker-compose version --short | sed 's/^/docker-compose /') ready in $((SECONDS - start)) s"
