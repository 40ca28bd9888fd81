#!/usr/bin/env bash
# Makes sure redis-server (for the Redis + BullMQ scale-out tests) is installed from Debian.
# Idempotent: does nothing when it is already there.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
echo "ensure-redis: installing redis-server" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for a dpkg lock held by another installer instead of failing at once.
APT=(apt-get -o DPkg::Lock::Timeout=600)
"${APT[@]}" install -y --no-install-recommends redis-server >&2 || { "${APT[@]}" update >&2 && "${APT[@]}" install -y --no-install-recommends redis-server >&2; }
# Tests start their own servers on free loopback ports (test/helpers/startRedis.ts).
command -v redis-server >/dev/null
