#!/usr/bin/env bash
# Runs every test of the workspace against real Python.
#
# Creates (once) a virtual environment under target/py-venv with the packages of
# tests/requirements.txt, points snakebridge at it with SNAKEBRIDGE_PYTHON (both the compile-time
# introspection and the embedded runtime honour it), then runs the tests.
# Then builds snakebridge-runtime with --no-default-features and with each feature alone, and runs
# every example. SNAKEBRIDGE_BLESS, TRYBUILD and CODEC_PROPS_CASES are unset for the run.
# Extra arguments go to `cargo test` (e.g. `tests/run.sh --test runtime_embedded`) and skip the
# feature builds and examples.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=target/py-venv
stamp="$venv/.requirements-installed"
if [ ! -x "$venv/bin/python" ]; then
    echo "==> creating $venv with $($python --version)"
    "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || ! cmp -s tests/requirements.txt "$stamp"; then
    echo "==> installing tests/requirements.txt into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt "$stamp"
fi

export SNAKEBRIDGE_PYTHON="$PWD/$venv/bin/python"
echo "==> SNAKEBRIDGE_PYTHON=$SNAKEBRIDGE_PYTHON"
# Variables that would re-bless golden files, overwrite trybuild snapshots or shrink the
# property tests' case count must not weaken this run.
for var in SNAKEBRIDGE_BLESS TRYBUILD CODEC_PROPS_CASES; do
    if [ -n "${!var+set}" ]; then
        echo "==> unsetting $var (was '${!var}') for the test run"
    fi
    unset "$var"
done

cargo test --workspace --all-targets "$@"
# Doc tests are not part of --all-targets; the facade's include the README's Rust code blocks
# (src/lib.rs, readme_doctests), compiled and run.
echo "==> doc tests (the README's code blocks included)"
cargo test --workspace --doc

# With extra arguments (one test binary) the rest is skipped.
if [ "$#" -gt 0 ]; then
    exit 0
fi

# The runtime in every feature configuration, not only the default one.
for features in "" "embedded" "ndarray"; do
    echo "==> cargo build -p snakebridge-runtime --no-default-features${features:+ --features $features}"
    cargo build -p snakebridge-runtime --lib --no-default-features ${features:+--features "$features"}
done

# Every example runs (not only builds).
for example in examples/*.rs; do
    name=$(basename "$example" .rs)
    echo "==> cargo run --example $name"
    cargo run --quiet --example "$name"
done
echo "==> all tests, doc tests, feature builds and examples passed"
