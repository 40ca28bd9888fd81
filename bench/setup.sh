#!/usr/bin/env bash
# Bench setup: wrk (Debian package) drives the throughput benchmark; autocannon (npm devDependency)
# is the fallback when wrk cannot be installed. Checks first, installs only what is missing.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  echo "bench setup: wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}') present"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "bench setup: installing wrk (apt-get)"
  if ! apt-get install -y --no-install-recommends wrk >/dev/null 2>&1; then
    apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends wrk >/dev/null 2>&1 || true
  fi
fi
if command -v wrk >/dev/null 2>&1; then echo "bench setup: wrk installed"; else echo "bench setup: wrk unavailable, throughput uses autocannon"; fi
