# Sourced by the other scripts and the Makefile's recipes: chooses the Rust
# toolchain that can build both the server and the WebAssembly frontend.
#
# - An ordinary machine: rustup with the wasm32-unknown-unknown target.
#   Nothing is changed.
# - A machine whose rustup cannot install that target: Debian's rustc-web
#   toolchain (/usr/bin), which ships the standard library's sources, builds
#   the wasm32 standard library itself (-Zbuild-std). The whole build then
#   uses that one toolchain so proc-macros and std agree.

pep_has_rustup_wasm() {
  command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

if [ -z "${PEP_TOOLCHAIN:-}" ]; then
  if pep_has_rustup_wasm; then
    PEP_TOOLCHAIN=rustup
  else
    PEP_TOOLCHAIN=debian
  fi
fi
export PEP_TOOLCHAIN

# Extra arguments cargo-leptos and cargo need for the wasm build (empty on
# rustup).
PEP_LEPTOS_LIB_ARGS=""
PEP_WASM_CARGO_ARGS=""
if [ "$PEP_TOOLCHAIN" = debian ]; then
  # rustup's proxies stay reachable after /usr/bin for rustfmt.
  export PATH="/usr/bin:$PATH:$HOME/.cargo/bin"
  export RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-16
  PEP_WASM_CARGO_ARGS="-Zbuild-std=std,panic_abort"
  PEP_LEPTOS_LIB_ARGS="--lib-cargo-args=$PEP_WASM_CARGO_ARGS"
else
  export PATH="$HOME/.cargo/bin:$PATH"
fi
export PEP_LEPTOS_LIB_ARGS PEP_WASM_CARGO_ARGS

# npm's binaryen (wasm-opt) first: older distribution builds break release wasm.
PEP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export PATH="$PEP_ROOT/end2end/node_modules/.bin:$PATH"
export PEP_ROOT

# Where cargo puts its output (CI keeps it outside the clone). The site
# build (cargo-leptos) has a folder of its own inside it: it sets variables
# that Leptos' build scripts read, so sharing one folder with the tests would
# rebuild Leptos and everything above it on each switch.
PEP_TARGET_DIR="${CARGO_TARGET_DIR:-$PEP_ROOT/target}"
PEP_SITE_TARGET_DIR="$PEP_TARGET_DIR/site-build"
# The served binary.
PEP_SITE_BIN="$PEP_SITE_TARGET_DIR/release/pep"
export PEP_TARGET_DIR PEP_SITE_TARGET_DIR PEP_SITE_BIN

# llama.cpp: never let idle OpenMP threads spin (harmless without OpenMP).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"

# The data folder (database, models) and the default model file in it.
export PEP_DATA_DIR="${PEP_DATA_DIR:-$PEP_ROOT/data}"
export PEP_MODEL_FILE="$PEP_DATA_DIR/models/SmolLM2-135M-Instruct.Q4_1.gguf"
