#!/usr/bin/env bash
# Makes sure HAProxy (the load balancer of `npm run cluster` and the cluster tests) is installed
# from Debian. Idempotent: does nothing when it is already there. The cluster runs its own
# haproxy with its own configuration on loopback ports (Debian's default one listens nowhere).
set -euo pipefail
command -v haproxy >/dev/null 2>&1 && exit 0
echo "ensure-haproxy: installing haproxy" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for a dpkg lock held by another installer instead of failing at once.
APT=(apt-get -o DPkg::Lock::Timeout=600)
"${APT[@]}" install -y --no-install-recommends haproxy >&2 || { "${APT[@]}" update >&2 && "${APT[@]}" install -y --no-install-recommends haproxy >&2; }
command -v haproxy >/dev/null
