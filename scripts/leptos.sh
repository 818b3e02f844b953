#!/usr/bin/env bash
# Runs cargo-leptos with what this machine's toolchain needs:
#   scripts/leptos.sh build --release
# A release build also leaves precompressed copies of the site's assets
# (scripts/precompress.mjs); any other build first removes old ones, so a
# stale .br is never served for a newer file.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cmd="${1:?usage: leptos.sh build|serve|watch|end-to-end [args...]}"
shift
pkg="$PEP_ROOT/target/site/pkg"
export CARGO_TARGET_DIR="$PEP_SITE_TARGET_DIR"
case "$cmd" in
  build | serve | watch | end-to-end)
    node "$PEP_ROOT/scripts/precompress.mjs" "$pkg" --clean
    # shellcheck disable=SC2086
    cargo leptos "$cmd" $PEP_LEPTOS_LIB_ARGS "$@"
    if [ "$cmd" = build ] && [[ " $* " == *" --release "* ]]; then
      node "$PEP_ROOT/scripts/precompress.mjs" "$pkg"
    fi
    ;;
  *) exec cargo leptos "$cmd" "$@" ;;
esac
