#!/usr/bin/env bash
# Debian's bubblewrap: the sandbox the capability inspection starts servers in (README,
# "Capability inspection"). The tests that inspect for real fail without it.
set -euo pipefail
if ! command -v bwrap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq bubblewrap >/dev/null
fi
bwrap --version
