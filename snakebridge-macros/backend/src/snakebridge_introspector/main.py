"""The entry point: `main()` imports the requested module and submodules, describes them, and
answers (see `output`); `run(argv)` is the whole run as a JSON-ready dict."""

import importlib
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
