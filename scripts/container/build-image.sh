#!/usr/bin/env bash
# Builds the server image from the Containerfile with podman (scripts/container/podman.sh):
#   scripts/container/build-image.sh [podman build arguments…]
# Env:
#   IMAGE       tag to build (default localhost/dome-verifier:<package.json version>)
#   NODE_IMAGE  base image; default: the no-registry base localhost/dome-verifier-base:bookworm-node20,
#               built first by build-base.sh when missing. NODE_IMAGE=docker.io/library/node:20-bookworm-slim
#               builds on the official image (needs the registry).
# When NODE_EXTRA_CA_CERTS names a file (a TLS-intercepting proxy's CA), it is passed to the
# build stage's `npm ci` as the build secret `npm-ca` (not stored in any layer).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
podman() { "$here/podman.sh" "$@"; }
version="$(node -p 'require(process.argv[1]).version' "$repo/package.json")"
image="${IMAGE:-localhost/dome-verifier:$version}"
base="${NODE_IMAGE:-localhost/dome-verifier-base:bookworm-node20}"

if [ -z "${NODE_IMAGE:-}" ]; then BASE_IMAGE="$base" "$here/build-base.sh"; fi

# --format docker: the OCI image format has no HEALTHCHECK (podman would drop it with a warning).
# --layers=false: no intermediate images are left behind (pass --layers to cache the npm ci layer).
args=(--layers=false --format docker --file "$repo/Containerfile" --tag "$image" --build-arg "NODE_IMAGE=$base" --build-arg "VERSION=$version")
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  args+=(--secret "id=npm-ca,src=$NODE_EXTRA_CA_CERTS")
fi
previous="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
t0=$(date +%s)
podman build "${args[@]}" "$@" "$repo"
# The image this build replaced is untagged now: remove it (only ours; nothing else is pruned).
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
  podman rmi "$previous" > /dev/null 2>&1 || true
fi
echo "built $image on $base in $(( $(date +%s) - t0 )) s"
