#!/usr/bin/env bash
# The one test command (`npm test`): build, lint the contract, check generated code, run every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
npx vitest run
