#!/usr/bin/env bash
# Runs every test of the workspace against real Python.
#
# Creates (once) a virtual environment under target/py-venv with the packages of
# tests/requirements.txt, points snakebridge at it with SNAKEBRIDGE_PYTHON (both the compile-time
# introspection and the embedded runtime honour it), then runs the tests.
# Then tests snakebridge-runtime without its default features (the pool alone: its tests run),
# builds it with each feature alone, and runs every example (each asserts its results).
# SNAKEBRIDGE_BLESS, TRYBUILD, CODEC_PROPS_CASES and the cache variables (SNAKEBRIDGE_CACHE_DIR,
# SNAKEBRIDGE_REFRESH, SNAKEBRIDGE_OFFLINE) are unset for the run. Extra arguments go to
# `cargo test` (e.g. `tests/run.sh --test runtime_embedded`) and skip the feature
# configurations and examples.
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
# Variables that would re-bless golden files, overwrite trybuild snapshots, shrink the property
# tests' case count, or point the macros at another cache (or make them rewrite this one) must
# not weaken this run.
for var in SNAKEBRIDGE_BLESS TRYBUILD CODEC_PROPS_CASES \
    SNAKEBRIDGE_CACHE_DIR SNAKEBRIDGE_REFRESH SNAKEBRIDGE_OFFLINE; do
    if [ -n "${!var+set}" ]; then
        echo "==> unsetting $var (was '${!var}') for the test run"
    fi
    unset "$var"
done

cargo test --workspace --all-targets "$@"
# Doc tests are not part of --all-targets; the facade's include the README's Rust code blocks
# (src/lib.rs, readme_doctests), compiled and run (none is `no_run`: they need only the venv).
echo "==> doc tests (the README's code blocks included)"
cargo test --workspace --doc

# With extra arguments (one test binary) the rest is skipped.
if [ "$#" -gt 0 ]; then
    exit 0
fi

# The runtime in every feature configuration, not only the default one. Without default
# features it is the pool (and the mock) alone: the pool's tests run there too (the tests that
# need the embedded client or `ndarray` are compiled out).
pool_tests=()
for t in pool_faults pool_sessions pool_lifecycle pool_restart pool_streams pool_output \
    pool_concurrency pool_config pool_segment_reuse pool_generators; do
    pool_tests+=(--test "$t")
done
echo "==> cargo test -p snakebridge-runtime --no-default-features ${pool_tests[*]}"
cargo test -p snakebridge-runtime --no-default-features "${pool_tests[@]}"
# Each feature alone builds, and turns on no other (`embedded` does not bring the `ndarray`
# feature: its build is not the default one again).
for features in "embedded" "ndarray"; do
    echo "==> cargo build -p snakebridge-runtime --no-default-features --features $features"
    cargo build -p snakebridge-runtime --lib --no-default-features --features "$features"
    enabled=$(cargo tree -p snakebridge-runtime --no-default-features --features "$features" \
        -e features -i snakebridge-runtime | grep -o 'snakebridge-runtime feature "[a-z]*"' | sort -u)
    if [ "$enabled" != "snakebridge-runtime feature \"$features\"" ]; then
        echo "==> --features $features turns on more than $features: $enabled" >&2
        exit 1
    fi
done

# Every example runs (not only builds) and asserts what it prints.
for example in examples/*.rs; do
    name=$(basename "$example" .rs)
    echo "==> cargo run --example $name"
    cargo run --quiet --example "$name"
done
echo "==> all tests, doc tests, feature builds and examples passed"
