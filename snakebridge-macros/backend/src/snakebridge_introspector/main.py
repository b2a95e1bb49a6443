"""The entry point: `main()` imports the requested module and submodules, describes them, and
answers (see `output`); `run(argv)` is the whole run as a JSON-ready dict."""

import importlib
import os
import sys
import time
import warnings

from .introspector import Introspector
from .output import WARNINGS, _error_doc, answer, claim_stdout


def library_version(modname):
    top = modname.split(".")[0]
    if top in getattr(sys, "stdlib_module_names", ()) or top in sys.builtin_module_names:
        return None
    try:
        import importlib.metadata as md
    except Exception:
        md = None
    if md is not None:
        try:
            return md.version(top)
        except Exception:
            pass
    v = getattr(sys.modules.get(top), "__version__", None)
    if isinstance(v, str):
        return v
    if md is not None:
        try:
            dists = md.packages_distributions().get(top)
            if dists:
                return md.version(dists[0])
        except Exception:
            pass
    return None


def stub_packages(paths, roots, modname):
    """The distributions whose stub files typed the module (name -> version), the module's own
    excepted (`library_version` records it): `scipy-stubs` and `optype` for scipy.optimize,
    mypy (typeshed) for the standard library. The cache pins them, so that upgrading a stub
    package makes `cargo snakebridge check` report the cache stale."""
    try:
        import importlib.metadata as md
    except Exception:
        return {}
    own = modname.split(".")[0]
    tops = set()
    for path in paths:
        for root in roots:
            if path.startswith(root.rstrip(os.sep) + os.sep):
                tops.add(path[len(root.rstrip(os.sep)) + 1:].split(os.sep)[0])
                break
    tops.discard(own)
    if not tops:
        return {}
    found = {}
    # The usual names first (`scipy-stubs`, `types-networkx` for `networkx-stubs`), then every
    # distribution's file list.
    guesses = {}
    for top in tops:
        base = top[:-len("-stubs")] if top.endswith("-stubs") else top
        guesses[top] = [top, base + "-stubs", "types-" + base]
    def installs(dist, top):
        return any(f.parts and f.parts[0] == top for f in (dist.files or ()))
    for top, names in guesses.items():
        for name in names:
            try:
                dist = md.distribution(name)
            except Exception:
                continue
            if installs(dist, top):
                found[top] = dist
                break
    missing = tops - set(found)
    if missing:
        for dist in md.distributions():
            for top in list(missing):
                if installs(dist, top):
                    found[top] = dist
                    missing.discard(top)
            if not missing:
                break
    out = {}
    for dist in found.values():
        name = dist.metadata["Name"]
        if name:
            out[name] = dist.version
    return dict(sorted(out.items()))


def run(argv):
    t0 = time.perf_counter()
    doc = {"python_version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable}
    if not argv:
        doc["error"] = {"type": "UsageError",
                        "message": "usage: snakebridge_introspector MODULE [SUBMODULE ...]",
                        "traceback": "", "module": ""}
        return doc
    if sys.version_info < (3, 9):
        doc["error"] = {"type": "IntrospectorError:UnsupportedPython",
                        "message": "snakebridge needs Python 3.9 or newer",
                        "traceback": "", "module": argv[0]}
        return doc
    modname = argv[0]
    subs = sorted(set(argv[1:]))
    current = modname
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = importlib.import_module(modname)
            submods = []
            for s in subs:
                current = modname + "." + s
                submods.append((current, importlib.import_module(current)))
    except BaseException as e:  # SystemExit from a module's import counts as a failure too
        doc["error"] = _error_doc(e, current)
        return doc
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    intro = Introspector()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = intro.module_info(mod, modname)
        for full, sm in submods:
            result["submodules"].append(intro.module_info(sm, full))
    doc["library_version"] = library_version(modname)
    roots = sorted(intro.stubs.path_roots, key=len, reverse=True)
    doc["stub_packages"] = stub_packages(intro.stubs.paths_read, roots, modname)
    doc["elapsed_seconds"] = round(time.perf_counter() - t0, 3)
    doc["stub_parse_seconds"] = round(intro.stubs.parse_seconds, 3)
    doc["typeshed"] = intro.stubs.typeshed_roots[:1]
    doc["warnings"] = WARNINGS
    doc["result"] = result
    return doc


def main():
    real_stdout_fd = claim_stdout()
    # The working directory is wherever cargo ran rustc; a stray `json.py` there must not shadow
    # the module the user asked for (PYTHONPATH is the explicit way to add local modules). The
    # Rust side's bootstrap removed it already (ISOLATE_SYS_PATH); this covers any other start.
    if sys.path and sys.path[0] in ("", "."):
        del sys.path[0]
    try:
        doc = run(sys.argv[1:])
    except BaseException as e:
        doc = {"python_version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable,
               "error": dict(_error_doc(e, sys.argv[1] if len(sys.argv) > 1 else ""),
                             type="IntrospectorError:" + type(e).__name__)}
    answer(real_stdout_fd, doc)
