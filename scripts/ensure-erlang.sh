#!/usr/bin/env bash
# Makes sure the Erlang toolchain the MochiWeb server template needs is installed (Debian/apt).
# Idempotent: does nothing when everything is present, so tests can call it every run.
#   erlang-base      erl, erlc, kernel/stdlib (OTP 25 on bookworm)
#   erlang-inets     httpc for the EUnit HTTP round trip; mochiweb.app needs it but does not declare it
#   erlang-mochiweb  the HTTP server
#   erlang-jiffy     the JSON codec (a NIF)
#   erlang-eunit     the EUnit runner (ebin only)
#   erlang-dev       include/eunit.hrl, which erlang-eunit does not ship
#   make             the template builds with a Makefile
set -euo pipefail

PACKAGES=(erlang-base erlang-inets erlang-mochiweb erlang-jiffy erlang-eunit erlang-dev make)

erlang_ready() {
  command -v erl >/dev/null 2>&1 && command -v erlc >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || return 1
  # Ask the VM itself: each library must be on the code path, and eunit.hrl must be findable.
  erl -noshell -eval '
    Libs = [mochiweb, jiffy, inets, eunit],
    Missing = [L || L <- Libs, code:lib_dir(L) =:= {error, bad_name}],
    Hrl = filelib:is_regular(filename:join([code:lib_dir(eunit), "include", "eunit.hrl"])),
    halt(case {Missing, Hrl} of {[], true} -> 0; _ -> 1 end).' >/dev/null 2>&1
}

if erlang_ready; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

# Test files run in parallel and other setup scripts use apt too: wait for the dpkg lock
# instead of failing on it.
APT_OPTS=(-o DPkg::Lock::Timeout=600)

install() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${PACKAGES[@]}" >&2
}

echo "ensure-erlang: installing ${PACKAGES[*]}" >&2
# A fresh machine may have empty apt lists: only then pay for `apt-get update`.
if ! install; then
  $SUDO apt-get "${APT_OPTS[@]}" update >&2
  install
fi

erlang_ready || { echo "ensure-erlang: Erlang toolchain still incomplete after install" >&2; exit 1; }
