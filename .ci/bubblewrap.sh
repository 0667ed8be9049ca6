#!/usr/bin/env bash
# Debian's bubblewrap: the sandbox the capability inspection starts servers in (README,
# "Capability inspection"). The tests that inspect for real fail without it.
set -euo pipefail
if ! command -v bwrap >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "bubblewrap is missing: sudo apt-get install bubblewrap" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq bubblewrap >/dev/null
fi
bwrap --version
