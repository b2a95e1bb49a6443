#!/usr/bin/env bash
# Runs every test of the workspace against real Python.
#
# Creates (once) a virtual environment under target/py-venv with the packages of
# tests/requirements.txt, points snakebridge at it with SNAKEBRIDGE_PYTHON (both the compile-time
# introspection and the embedded runtime honour it), then runs the tests.
# Extra arguments go to `cargo test` (e.g. `tests/run.sh --test runtime_embedded`).
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
cargo test --workspace --all-targets "$@"
# Doc tests are not part of --all-targets.
cargo test --workspace --doc
