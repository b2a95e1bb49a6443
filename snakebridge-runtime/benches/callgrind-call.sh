#!/usr/bin/env bash
# The generated call's instruction count against hand-written pyo3, by callgrind (deterministic
# where time on this machine is not): README "Performance targets", <= 1.1x.
#
# Runs the bench suite's `call` figure in its profiling mode (SNAKEBRIDGE_BENCH_ONLY=site,
# call_at or baseline) for 20,000 and 40,000 calls under callgrind; the difference over 20,000
# is the cost of one call without start-up. `site` is what a generated function of scalar
# arguments runs (a `SiteCall`); `call_at` the same call through `Call::at` (what a function
# with optional arguments runs), reported beside it. PYTHONHASHSEED is fixed: with random
# hashing the counts move by ~10 instructions per call from run to run. Needs valgrind and the
# test venv (tests/run.sh makes it).
#
#   snakebridge-runtime/benches/callgrind-call.sh
#   snakebridge-runtime/benches/callgrind-call.sh --class   # the check of a class result
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
export SNAKEBRIDGE_PYTHON=${SNAKEBRIDGE_PYTHON:-$PWD/target/py-venv/bin/python}
export PYTHONHASHSEED=0

suite=$(cargo bench -p snakebridge-runtime --bench suite --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "suite" and m.get("executable"):
        print(m["executable"])')

instructions() { # variant calls
    SNAKEBRIDGE_BENCH_ONLY=$1 SNAKEBRIDGE_BENCH_CALLS=$2 valgrind --tool=callgrind \
        --callgrind-out-file=/dev/null "$suite" --bench call 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_call() { # variant
    local short long
    short=$(instructions "$1" 20000)
    long=$(instructions "$1" 40000)
    python3 -c "print(($long - $short) / 20000)"
}

if [ "${1:-}" = "--class" ]; then
    # The check of a class result: `re.compile` as a generated call returning `re.Pattern`,
    # checked against decoded as before the check.
    checked=$(per_call class)
    unchecked=$(per_call class_unchecked)
    python3 -c "print('[callgrind] re.compile -> re.Pattern, instructions per call'); \
print('  decoded unchecked : %8.1f' % $unchecked); \
print('  checked           : %8.1f  (+%.1f)' % ($checked, $checked - $unchecked))"
    exit 0
fi
site=$(per_call site)
call_at=$(per_call call_at)
baseline=$(per_call baseline)
python3 - "$site" "$call_at" "$baseline" <<'EOF'
import sys
site, call_at, baseline = map(float, sys.argv[1:])
ratio = site / baseline
print("[callgrind] math.sqrt, instructions per call")
print(f"  hand-written pyo3, cached callable : {baseline:8.1f}  (baseline)")
print(f"  generated call (SiteCall)          : {site:8.1f}  {ratio:.3f}x  "
      f"target <= 1.1x: {'MET' if ratio <= 1.1 else 'NOT MET'}")
print(f"  Call::at the same site (a builder) : {call_at:8.1f}  {call_at / baseline:.3f}x")
EOF
