"""Checks, module by module, that the worker's machinery holds its own references (run by
tests/pool_user_patches.rs after the worker package's bootstrap, so the modules are the
shipped ones, loaded as a worker loads them):

- each module's ``__builtins__`` is a dict of its own (a copy taken at import), not the
  ``builtins`` module user code patches, and every function of the module uses it (a function
  defined before the module took its copy would not);
- no function looks an attribute up at run time on a module outside the package (``os.write``,
  ``json.dumps``, ``sys.modules``...): what it uses was bound by name at import. Start-up code
  that runs before any user code is the exception, named below.

Prints one line per problem and exits 1 if there is any.
"""

import builtins
import dis
import importlib
import os
import sys
import types

PACKAGE = "snakebridge_worker"
# (module, function) that may use shared modules: they run once, before any user code.
START_UP = {
    ("snakebridge_worker.main", "start"),
    ("snakebridge_worker.main", "main"),
    ("snakebridge_worker.main", "run"),
}

problems = []


def codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from codes(const)


def functions(module):
    """(qualified name, function) of every function defined in ``module``."""
    for value in vars(module).values():
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            yield value.__qualname__, value
        elif isinstance(value, type) and value.__module__ == module.__name__:
            for member in vars(value).values():
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if isinstance(member, types.FunctionType):
                    yield member.__qualname__, member


checked = 0
for name in os.environ["SB_MODULES"].split(","):
    if name.endswith(".__main__"):
        continue  # importing it runs a worker
    module = importlib.import_module(name)
    own = vars(module).get("__builtins__")
    if not isinstance(own, dict) or own is vars(builtins):
        problems.append("%s: its __builtins__ is not a copy of its own" % name)
        continue
    for qualname, f in functions(module):
        checked += 1
        if f.__builtins__ is not own:
            problems.append("%s.%s: uses other builtins than its module's copy" % (name, qualname))
        if (name, qualname) in START_UP:
            continue
        for code in codes(f.__code__):
            for ins in dis.get_instructions(code):
                if ins.opname not in ("LOAD_GLOBAL", "LOAD_NAME"):
                    continue
                target = ins.argval
                if target in vars(module):
                    value = vars(module)[target]
                    if isinstance(value, types.ModuleType) and not (
                        value.__name__ == PACKAGE or value.__name__.startswith(PACKAGE + ".")
                    ):
                        problems.append(
                            "%s.%s: looks `%s.<attribute>` up at run time; bind what it uses "
                            "at import (`from %s import ...`)"
                            % (name, qualname, target, value.__name__)
                        )
                elif target not in own:
                    problems.append("%s.%s: uses `%s`, which is not defined" % (name, qualname, target))

for p in problems:
    print("PROBLEM: " + p)
print("checked %d functions" % checked)
sys.exit(1 if problems or not checked else 0)
