#!/usr/bin/env bash
# Lints docs/openapi.yaml with the Redocly CLI installed in node_modules (no network), using
# redocly.yaml at the repository root (the recommended ruleset, a few rules raised to error).
# Exits non-zero when the lint reports any error.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f docs/openapi.yaml ]; then
  echo "lint-openapi: docs/openapi.yaml is missing" >&2
  exit 1
fi
if ! npx --no-install redocly --version >/dev/null 2>&1; then
  echo "lint-openapi: Redocly CLI is not installed (run npm ci)" >&2
  exit 1
fi
# Redocly prints a banner about the Node version and telemetry; neither matters here.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
status=0
out=$(npx --no-install redocly lint docs/openapi.yaml --format=stylish 2>&1) || status=$?
printf '%s\n' "$out" | grep -v -E '║|╔|╚|npm warn' || true
if [ "$status" -ne 0 ]; then
  echo "lint-openapi: FAILED (redocly exit $status)" >&2
  exit 1
fi
echo "lint-openapi: ok"
