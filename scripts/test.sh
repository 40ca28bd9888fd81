#!/usr/bin/env bash
# The one test command (`npm test`): build, lint the contract, check generated code, run every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# System packages the end-to-end tests need (Debian): installed once, one after the other, so
# parallel test files never race for the dpkg lock. Each script is a no-op when all is present.
echo "== system packages (redis-server, haproxy, erlang, chromium, mypy)"
bash scripts/ensure-redis.sh
bash scripts/ensure-haproxy.sh
bash scripts/ensure-erlang.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-mypy.sh
npm run build --silent
echo "== generated code is up to date"
npm run generate --silent -- --check
echo "== type-check tests"
npx tsc -p tsconfig.tests.json
echo "== vitest"
npx vitest run
