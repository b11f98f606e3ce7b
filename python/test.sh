#!/usr/bin/env bash
# The Python package's tests, as `.ci/run` runs them after the cargo tests:
# a venv (target/python-venv) with maturin and pytest from PyPI, a wheel of
# `python/` built from this checkout and installed there, then pytest against
# it and the `cfg` binary `cargo test` built (target/debug/cfg; CFG_BIN
# overrides).
#
# The wheel is built with the `ci` profile of python/Cargo.toml (release
# without most optimisation: far quicker to compile; the tests assert no
# speed). `pip install ./python` gives users the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "python/test.sh: python3 with venv is missing: install it with \`apt-get install -y python3 python3-venv\`" >&2
  exit 1
fi
if [ ! -x target/debug/cfg ] && [ -z "${CFG_BIN:-}" ]; then
  echo "python/test.sh: target/debug/cfg is missing: build it with \`cargo build --locked\`" >&2
  exit 1
fi
# python/ is a workspace of its own (so `cargo test` never builds PyO3): its
# lock file must follow the library's dependencies.
if ! cargo metadata --locked --format-version 1 --manifest-path python/Cargo.toml >/dev/null 2>&1; then
  echo "python/test.sh: python/Cargo.lock is behind the library's dependencies: update it with" \
    "\`cargo metadata --format-version 1 --manifest-path python/Cargo.toml >/dev/null\` and commit it" >&2
  exit 1
fi
venv=target/python-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.9,<2" "pytest>=8"
rm -rf "$venv/wheels"
"$venv/bin/maturin" build --quiet --locked --manifest-path python/Cargo.toml --profile ci --interpreter "$venv/bin/python" \
  --out "$venv/wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$venv"/wheels/cfgsafe-*.whl
CFG_BIN="${CFG_BIN:-$PWD/target/debug/cfg}" "$venv/bin/python" -m pytest python/tests -q -p no:cacheprovider
