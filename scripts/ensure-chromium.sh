#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser tests (idempotent). The package index is
# refreshed only when the first install attempt fails, so a warm machine does no network work.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends chromium; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends chromium
fi
command -v chromium
