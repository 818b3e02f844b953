#!/usr/bin/env bash
# A short run of every fuzz target (fuzz/fuzz_targets/) on its corpus:
# PEP_FUZZ_SECONDS each (default 30). The committed corpus (fuzz/corpus/) is
# read, never written: what a run discovers goes to a scratch folder, and a
# crash is saved under fuzz/artifacts/ and fails the run.
#
#   scripts/fuzz.sh [TARGET...]
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$PEP_ROOT/fuzz"

CARGO_FUZZ_VERSION=0.13.1
seconds="${PEP_FUZZ_SECONDS:-30}"

say() { printf '\033[1;34m[fuzz]\033[0m %s\n' "$*"; }

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

# libFuzzer's instrumentation needs the unstable flags; Debian's toolchain
# allows them with RUSTC_BOOTSTRAP, rustup's stable one the same way.
export RUSTC_BOOTSTRAP=1
# Kept beside the other build output, so later runs start warm.
export CARGO_TARGET_DIR="$PEP_TARGET_DIR/fuzz"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cargo fuzz list))
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  say "$target: ${seconds}s"
  mkdir -p "$scratch/$target"
  # No sanitizer: the targets are safe Rust, and the runtimes are not in
  # every toolchain. Panics, stack overflows and timeouts still fail.
  cargo fuzz run --sanitizer none --release "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
