#!/usr/bin/env bash
# The e2e suite, one Playwright project after the other (playwright.config.ts): first the
# functional project (its workers side by side), then the measurement project alone, so that
# nothing else runs while it measures, then its pairs (two tests at a time; the pairs project
# depends on the measurement project, so one run does both). Arguments go to both runs (e.g. a spec file); a project
# with no matching test passes. Run it inside scripts/netns-run.sh (npm run test:e2e does).
set -euo pipefail
cd "$(dirname "$0")/.."

npx playwright test --project=functional --pass-with-no-tests "$@"
npx playwright test --project=measurement-pairs --pass-with-no-tests "$@"
