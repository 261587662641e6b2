#!/usr/bin/env bash
# Sets up what is missing and runs every test (the README's test command; CI runs it too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "${CI:+--clean-install}"
echo "test: lint"
npm run lint
echo "test: every package"
rm -rf .test-results && mkdir -p .test-results
npm test
node scripts/test-summary.js .test-results
