#!/usr/bin/env bash
# Runs cargo-leptos with what this machine's toolchain needs:
#   scripts/leptos.sh build --release
set -euo pipefail
. "$(dirname "$0")/env.sh"
cmd="${1:?usage: leptos.sh build|serve|watch|end-to-end [args...]}"
shift
case "$cmd" in
  build | serve | watch | end-to-end)
    # shellcheck disable=SC2086
    exec cargo leptos "$cmd" $PEP_LEPTOS_LIB_ARGS "$@"
    ;;
  *) exec cargo leptos "$cmd" "$@" ;;
esac
