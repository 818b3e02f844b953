#!/usr/bin/env bash
# Installs what PEP needs to build, run and test, skipping whatever is
# already there (safe to run again; cargo-leptos in particular is never
# rebuilt when the right version is installed).
#
#   scripts/setup.sh          everything
#   scripts/setup.sh --run    only what `make run` needs (no browser)
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$PEP_ROOT"

CARGO_LEPTOS_VERSION=0.3.11
want_browser=1
[ "${1:-}" = "--run" ] && want_browser=0

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------
apt_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

packages=(cmake clang libclang-dev g++ make unzip python3 python3-venv curl)
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
[ "$want_browser" = 1 ] && packages+=(chromium pgbouncer)
# The tests' PostgreSQL (a running server on 127.0.0.1:5432 is used as is).
[ "$want_browser" = 1 ] && ! command -v pg_ctlcluster >/dev/null 2>&1 && packages+=(postgresql)
[ "$PEP_TOOLCHAIN" = debian ] && packages+=(rustc-web cargo-web rust-web-src rust-web-clippy lld-16)

if command -v dpkg-query >/dev/null 2>&1; then
  missing="$(apt_missing "${packages[@]}")"
  if [ -n "${missing// /}" ]; then
    say "installing Debian packages: $missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
  fi
else
  say "not a Debian system: make sure these are installed: ${packages[*]}"
fi

# --- Rust tools ------------------------------------------------------------
if [ "$PEP_TOOLCHAIN" = rustup ]; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (a long compile, done once)"
  # The dev profile compiles in about half the time of the release one on a
  # small machine, and the tool's own speed barely shows in a site build.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --debug
fi

# wasm-bindgen's CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wb_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$wb_version"; then
  say "installing wasm-bindgen-cli $wb_version"
  # Not --locked: its lockfile pins crates some registry mirrors lack.
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

# --- npm (Playwright, and binaryen's wasm-opt for release builds) -----------
if [ ! -x end2end/node_modules/.bin/wasm-opt ] ||
  { [ "$want_browser" = 1 ] && [ ! -d end2end/node_modules/@playwright/test ]; } ||
  [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && npm ci --no-audit --no-fund)
fi

# --- the embedded model ------------------------------------------------------
"$PEP_ROOT/scripts/fetch-model.sh"
say "ready (toolchain: $PEP_TOOLCHAIN)"
