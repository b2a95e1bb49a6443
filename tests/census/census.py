#!/usr/bin/env python3
"""The binding census: binds every module of tests/census/modules.txt and reports, per module,
whether the bindings compile, how many functions, classes and instance methods (through the MRO)
they have, the share of parameters and return types that are typed (not `Value`), and the build
time. Writes the table to docs/census.md.

    python3 tests/census/census.py                 # every module (about 20-40 min on 2 cores)
    python3 tests/census/census.py json numpy      # some modules, table printed only

Needs the big packages (numpy, scipy, pandas, scikit-learn, matplotlib, networkx, sympy): it
creates target/census-venv from tests/census/requirements.txt on first use. Not part of the test
command (tests/run.sh). Each module is built as its own crate (target/census/crate, sharing the
workspace's target directory) so one module's failure does not hide another's; introspection
results are cached in target/census/cache.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "census-venv"
WORK = ROOT / "target" / "census"
CACHE = WORK / "cache"
CRATE = WORK / "crate"
REQUIREMENTS = ROOT / "tests" / "census" / "requirements.txt"


def venv_python():
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements-installed"
    if not python.exists():
        print("==> creating", VENV, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != REQUIREMENTS.read_text():
        print("==> installing", REQUIREMENTS, flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(REQUIREMENTS.read_text())
    return python


def modules(argv):
    if argv:
        return argv
    lines = (ROOT / "tests" / "census" / "modules.txt").read_text().splitlines()
    return [l.strip() for l in lines if l.strip() and not l.startswith("#")]


def env_for(python):
    env = dict(os.environ)
    env["SNAKEBRIDGE_PYTHON"] = str(python)
    env["SNAKEBRIDGE_CACHE_DIR"] = str(CACHE)
    env["CARGO_TARGET_DIR"] = str(ROOT / "target")
    for var in ("SNAKEBRIDGE_REFRESH", "SNAKEBRIDGE_OFFLINE"):
        env.pop(var, None)
    return env


def stats(mods, env):
    """Per-module statistics from the code generator (introspecting through the cache)."""
    out = subprocess.run(
        ["cargo", "run", "--quiet", "-p", "snakebridge-codegen", "--example", "census-stats", "--",
         "--cache-dir", str(CACHE)] + mods,
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    result = {}
    for line in out.stdout.splitlines():
        d = json.loads(line)
        result[d["module"]] = d
    return result


def build(module, env):
    """Builds the bindings of one module as a crate: (compiles, seconds, first error)."""
    (CRATE / "src").mkdir(parents=True, exist_ok=True)
    (CRATE / "Cargo.toml").write_text(
        '[package]\nname = "snakebridge-census"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
        '[lib]\npath = "src/lib.rs"\n\n'
        '[dependencies]\nsnakebridge = { path = "%s" }\n\n[workspace]\n' % ROOT
    )
    (CRATE / "src" / "lib.rs").write_text(
        "//! Census crate: the bindings of `%s`.\n#[snakebridge::python_module(%s)]\npub mod bound {}\n"
        % (module, json.dumps(module))
    )
    started = time.perf_counter()
    proc = subprocess.run(
        ["cargo", "build", "--quiet", "--lib", "--message-format=short"],
        cwd=CRATE, env=env, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    error = ""
    if proc.returncode != 0:
        lines = [l for l in proc.stderr.splitlines() if "error" in l] or proc.stderr.splitlines()
        error = lines[0][:200] if lines else "exit status %d" % proc.returncode
    return proc.returncode == 0, elapsed, error


def pct(part, whole):
    return "%.0f%%" % (100.0 * part / whole) if whole else "-"


def main(argv):
    python = venv_python()
    env = env_for(python)
    mods = modules(argv)
    print("==> introspecting %d modules" % len(mods), flush=True)
    table = stats(mods, env)
    rows = []
    for i, m in enumerate(mods, 1):
        s = table.get(m, {"error": "no statistics"})
        if "error" in s:
            ok, secs, err = False, 0.0, s["error"][:200]
        else:
            ok, secs, err = build(m, env)
        rows.append((m, ok, secs, err, s))
        print("[%d/%d] %-28s %s %6.1f s %s" % (i, len(mods), m, "yes" if ok else "NO ", secs, err),
              flush=True)
    md = render(rows)
    print(md)
    if not argv:
        (ROOT / "docs" / "census.md").write_text(md)
        print("==> wrote docs/census.md")
    return 0 if all(r[1] for r in rows) else 1


def by_source(s):
    """The typed parameters' share by the source of their signature: `stub / docstring / runtime`."""
    parts = [s.get("typed_params_" + k, 0) for k in ("stub", "docstring", "runtime")]
    total = sum(parts)
    return " / ".join(pct(p, total) for p in parts) if total else "-"


def render(rows):
    py = subprocess.run([str(VENV / "bin" / "python"), "--version"], capture_output=True, text=True)
    ok = sum(1 for r in rows if r[1])
    lines = [
        "# Binding census",
        "",
        "Generated by `python3 tests/census/census.py` (%s, %s); do not edit by hand." % (
            py.stdout.strip(), time.strftime("%Y-%m-%d")),
        "",
        "**%d of %d modules compile.** Columns: functions and exported classes bound; instance "
        "methods reachable through the MRO (of which inherited); typed parameters and return types "
        "(not `Value`; a result the overloads resolve by the argument's type counts as typed) of "
        "every callable; the typed parameters' share by source (the package's stubs, its stub "
        "package or typeshed / numpydoc types of the docstring / the runtime's annotations); "
        "`cargo build` time of a crate holding only that module's bindings (dependencies already "
        "built)." % (ok, len(rows)),
        "",
        "| module | compiles | functions | classes | methods (inherited) | typed params | typed returns | stub / docstring / runtime | build |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m, good, secs, err, s in rows:
        if "error" in s:
            lines.append("| `%s` | no: %s | | | | | | | |" % (m, s["error"].replace("|", "/")[:120]))
            continue
        lines.append("| `%s` | %s | %d | %d | %d (%d) | %s of %d | %s of %d | %s | %.1f s |" % (
            m, "yes" if good else "no: " + err.replace("|", "/"), s["functions"], s["classes"],
            s["methods_reachable"], s["methods_inherited"], pct(s["typed_params"], s["params"]),
            s["params"], pct(s["typed_returns"], s["returns"]), s["returns"], by_source(s), secs))
    numpy = next((r[4] for r in rows if r[0] == "numpy" and "error" not in r[4]), None)
    if numpy:
        lines += [
            "",
            "## numpy's top-level functions",
            "",
            "%s of the %d parameters of numpy's top-level functions are typed. The largest causes "
            "of untyped ones (annotation as introspected, count):" % (
                pct(numpy["function_typed_params"], numpy["function_params"]), numpy["function_params"]),
            "",
        ]
        for cause, n, example in numpy["untyped_causes"]:
            lines.append("- %s: %d (e.g. `%s`)" % (cause, n, example.replace("`", "")))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
