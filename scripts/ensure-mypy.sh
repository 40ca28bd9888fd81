#!/usr/bin/env bash
# Makes sure Debian's mypy (python3-mypy) runs under /usr/bin/python3: the generated Python client
# is type-checked with it in strict mode (test/pythonClient.test.ts). Nothing comes from PyPI.
# Idempotent: does nothing when it is already there.
set -euo pipefail
/usr/bin/python3 -m mypy --version >/dev/null 2>&1 && exit 0
echo "ensure-mypy: installing python3-mypy" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for a dpkg lock held by another installer; refresh empty package lists only when needed.
APT=(apt-get -o DPkg::Lock::Timeout=600)
PKG=(install -y --no-install-recommends python3-mypy)
"${APT[@]}" "${PKG[@]}" >&2 || { "${APT[@]}" update >&2 && "${APT[@]}" "${PKG[@]}" >&2; }
/usr/bin/python3 -m mypy --version >/dev/null
