#!/usr/bin/env bash
# podman as this project runs it (build-base.sh, build-image.sh, test/container/image.test.ts and
# humans alike): `scripts/container/podman.sh <podman arguments…>`.
#
# Debian bookworm's podman 4.3 as root on these machines needs three things, all set here so
# that nothing depends on /etc/containers state:
#   --runtime runc              crun fails on the hybrid (v1) cgroup layout here;
#   --cgroup-manager cgroupfs   no systemd user/session bus to manage cgroups;
#   CONTAINERS_CONF with `[containers] default_ulimits = []`
#                               podman's default nofile/nproc rlimits cannot be set here.
# Override with PODMAN_RUNTIME / PODMAN_CGROUP_MANAGER where the defaults of the machine work.
set -euo pipefail
conf_dir="${TMPDIR:-/tmp}/dome-verifier-podman"
mkdir -p "$conf_dir"
printf '[containers]\ndefault_ulimits = []\n' > "$conf_dir/containers.conf.$$"
mv -f "$conf_dir/containers.conf.$$" "$conf_dir/containers.conf"
export CONTAINERS_CONF="$conf_dir/containers.conf"
exec podman --runtime "${PODMAN_RUNTIME:-runc}" --cgroup-manager "${PODMAN_CGROUP_MANAGER:-cgroupfs}" "$@"
