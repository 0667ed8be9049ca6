#!/usr/bin/env bash
# Builds the local images the compose test runs on, since Docker Hub cannot be reached:
#   mcp-portal-local/debian:bookworm  debootstrap --variant=minbase, from the Debian mirror
#                                     that apt on this machine is configured with
#   mcp-portal-local/python:3.11      what the Dockerfile needs from python:3.11-slim
#   mcp-portal-local/postgres:15      the official postgres image's contract (Debian's 15)
#   mcp-portal-local/redis:7          the official redis image's contract (Debian's 7.0)
# Each image is built only when missing or when its recipe (this folder) changed, so a second
# run takes a second or two. Needs root, debootstrap and a running Docker engine
# (.ci/docker.sh installs and starts both, then runs this).
set -euo pipefail
cd "$(dirname "$0")"
DOCKER=${DOCKER:-docker}
SUITE=bookworm
PREFIX=mcp-portal-local
export DOCKER_BUILDKIT=0  # the classic builder: BuildKit would fetch its frontend from Docker Hub

took() {  # took WHAT START: says how long since START
  echo "docker base: $1 took $((SECONDS - $2)) s"
}

# The first Debian mirror (and security mirror) in apt's own configuration.
apt_uris() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    2>/dev/null | grep -E '^(deb |URIs:)' | grep -oE 'https?://[^ ]+' || true
}
MIRROR=${DEBIAN_MIRROR:-$(apt_uris | grep -v security | grep -m1 debian || true)}
if [ -z "$MIRROR" ]; then
  echo "docker base: no Debian mirror in apt's configuration; set DEBIAN_MIRROR" >&2
  exit 1
fi
SECURITY=${DEBIAN_SECURITY_MIRROR:-$(apt_uris | grep -m1 debian-security || true)}

# Raise when debian_image() below changes how the base is made: the images are rebuilt.
BOOTSTRAP_VERSION=1

recipe() {  # recipe FILE...: a digest of what an image is built from
  { echo "$SUITE $MIRROR $SECURITY $BOOTSTRAP_VERSION ${BASE_ID:-}"; cat "$@"; } \
    | sha256sum | cut -c1-16
}

current() {  # current IMAGE DIGEST: the image exists and was built from this recipe
  if [ "$($DOCKER image inspect -f '{{ index .Config.Labels "mcp-portal.recipe" }}' "$1" \
          2>/dev/null)" = "$2" ]; then
    echo "docker base: $1 is current"
  else
    return 1
  fi
}

bootstrap() {  # bootstrap DIR: a minimal Debian in DIR, quietly unless it fails
  if ! debootstrap --variant=minbase "$SUITE" "$1" "$MIRROR" >"$1.log" 2>&1; then
    tail -n 30 "$1.log"
    rm -f "$1.log"
    return 1
  fi
  rm -f "$1.log"
}

debian_image() {
  local tag=$PREFIX/debian:$SUITE digest rootfs
  digest=$(recipe debian/*)
  if current "$tag" "$digest"; then return; fi
  local start=$SECONDS
  rootfs=$(mktemp -d /var/tmp/mcp-portal-rootfs.XXXXXX)
  if ! bootstrap "$rootfs"; then
    rm -rf "$rootfs"
    return 1
  fi
  took "debootstrap --variant=minbase $SUITE from $MIRROR" "$start"
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -z "$SECURITY" ] || echo "deb $SECURITY $SUITE-security main"
  } > "$rootfs/etc/apt/sources.list"
  install -m 644 debian/dpkg-docker.cfg "$rootfs/etc/dpkg/dpkg.cfg.d/docker"
  install -m 755 debian/install-packages "$rootfs/usr/local/bin/install-packages"
  echo 'Acquire::Languages "none";' > "$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  # The package lists stay in the image, so the images built on it need not fetch them.
  chroot "$rootfs" apt-get -o APT::Sandbox::User=root update -qq
  chroot "$rootfs" apt-get clean
  tar -C "$rootfs" --numeric-owner -c . | $DOCKER import \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' \
    --change "LABEL mcp-portal.recipe=$digest" - "$tag" >/dev/null
  rm -rf "$rootfs"
  took "$tag" "$start"
}

derived_image() {  # derived_image NAME TAG [FILE...]: docker/NAME/ (and FILEs) built on
  local name=$1 tag=$PREFIX/$1:$2 digest  # the Debian image
  shift 2
  digest=$(recipe "$name"/* "$@")
  if current "$tag" "$digest"; then return; fi
  local context start=$SECONDS
  context=$(mktemp -d)
  cp -a "$name"/. "$context"
  [ $# -eq 0 ] || cp "$@" "$context"
  if ! $DOCKER build --force-rm --network host --label "mcp-portal.recipe=$digest" \
       --build-arg "DEBIAN_IMAGE=$PREFIX/debian:$SUITE" -t "$tag" "$context" \
       >"$context.log" 2>&1; then
    tail -n 40 "$context.log"
    rm -rf "$context" "$context.log"
    return 1
  fi
  rm -rf "$context" "$context.log"
  took "$tag" "$start"
}

# pip in the images must trust what pip on this machine trusts (where a TLS-inspecting
# proxy stands between it and the package index, its CA is in this bundle).
HOST_CA=$(mktemp -d)/host-ca-certificates.crt
cp "${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}" "$HOST_CA"
trap 'rm -rf "$(dirname "$HOST_CA")"' EXIT

debian_image
# Built on this very base: a new base rebuilds them.
BASE_ID=$($DOCKER image inspect -f '{{.Id}}' "$PREFIX/debian:$SUITE")
# The three are independent: built side by side (mostly downloads and unpacking).
pids=()
derived_image python 3.11 "$HOST_CA" & pids+=($!)
derived_image postgres 15 & pids+=($!)
derived_image redis 7 & pids+=($!)
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
