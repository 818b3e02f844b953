#!/usr/bin/env bash
# A bounded schemathesis run against the release `pep`: every operation of
# /api/v1/openapi.json is called with generated valid and invalid input, and
# each answer is checked against the document (no 5xx, only documented
# statuses, content types and bodies; valid input accepted, invalid input
# refused). The models are the replay server's, so chat turns are quick.
#
#   scripts/api-fuzz.sh [EXTRA SCHEMATHESIS ARGS]
#
# The same seed every time: a failure here is a finding to fix, never noise.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$PEP_ROOT"

SCHEMATHESIS_VERSION=4.32.5
port="${PEP_FUZZ_PORT:-3227}"
replay_port="${PEP_FUZZ_REPLAY_PORT:-3228}"
bin="${PEP_BIN:-$PEP_SITE_BIN}"

say() { printf '\033[1;34m[api-fuzz]\033[0m %s\n' "$*"; }

venv="$PEP_DATA_DIR/tools/schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -x "$venv/bin/schemathesis" ]; then
  say "installing schemathesis $SCHEMATHESIS_VERSION"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

PEP_REPLAY_GAP_MS=0 node end2end/replay/server.mjs "$replay_port" >"$work/replay.log" 2>&1 &
pids+=($!)
# PEP looks at each endpoint once, at start: the replay must answer first.
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$replay_port/v1/models" >/dev/null 2>&1 && break
  sleep 0.1
done
PEP_MODELS_CONFIG=end2end/api-fuzz/models.yaml \
  PEP_E2E_REPLAY_URL="http://127.0.0.1:$replay_port/v1" \
  RUST_LOG=warn \
  "$bin" --addr "127.0.0.1:$port" --data-dir "$work/data" >"$work/pep.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null; then
  say "pep did not become ready:"
  cat "$work/pep.log" "$work/replay.log"
  exit 1
fi

say "fuzzing http://127.0.0.1:$port/api/v1 (schemathesis $SCHEMATHESIS_VERSION)"
status=0
"$venv/bin/schemathesis" --config-file end2end/api-fuzz/schemathesis.toml run \
  "http://127.0.0.1:$port/api/v1/openapi.json" "$@" || status=$?
if [ "$status" -ne 0 ]; then
  say "failed; the server's log:"
  tail -n 50 "$work/pep.log"
fi
exit "$status"
