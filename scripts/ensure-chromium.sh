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
# Wait for a dpkg lock held by another installer instead of failing at once.
APT=(apt-get -o DPkg::Lock::Timeout=600)
if ! $SUDO "${APT[@]}" install -y --no-install-recommends chromium; then
  $SUDO "${APT[@]}" update
  $SUDO "${APT[@]}" install -y --no-install-recommends chromium
fi
command -v chromium
