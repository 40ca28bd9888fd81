#!/usr/bin/env bash
# The one test command (`npm test`): build, lint the contract, check generated code, run every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
echo "== generated code is up to date"
node server/bin/polybridge.js generate --check
echo "== type-check tests"
npx tsc -p tsconfig.tests.json
echo "== vitest"
npx vitest run
