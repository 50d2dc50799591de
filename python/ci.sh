#!/usr/bin/env bash
# The Python package's CI: a venv in target/py-venv with python/requirements-test.txt, then
# `pip install ./python` (maturin builds the extension into python/target), then pytest; first
# rustfmt and clippy on the glue crate.
# The tests that need ../shared skip with a reason when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x target/py-venv/bin/python ]; then
  mkdir -p target
  python3 -m venv target/py-venv
fi
# The glue crate is outside the root's workspace, so its format and lints are checked here.
cargo fmt --check --manifest-path python/Cargo.toml
CARGO_TARGET_DIR="$PWD/python/target" cargo clippy --release --manifest-path python/Cargo.toml -- -D warnings

pip=(target/py-venv/bin/pip --quiet --disable-pip-version-check)
"${pip[@]}" install -r python/requirements-test.txt
# The pinned maturin from the requirements builds it (no isolated build env to download; its
# hook runs `maturin` from PATH, hence the venv's bin first).
PATH="$PWD/target/py-venv/bin:$PATH" CARGO_TARGET_DIR="$PWD/python/target" "${pip[@]}" install --no-build-isolation --force-reinstall --no-deps ./python
# The tests compare the calls with the CLI's commands: the binary of `cargo test --release`
# (a no-op when that ran first, as in the README's test command and .ci/run).
cargo build --release --bin parallax --quiet
PARALLAX_BIN="$PWD/target/release/parallax" target/py-venv/bin/python -m pytest -q python/tests
