"""snakebridge introspector.

Run by the snakebridge backend (`python.rs`) as a subprocess: `python -c <bootstrap> MODULE
[SUBMODULE ...]`. This package's sources travel in the environment variable
`SNAKEBRIDGE_INTROSPECTOR` (nothing comes on stdin and nothing is written to disk); the bootstrap
(`snakebridge_contract::python_package`, run after the contract's `ISOLATE_SYS_PATH`) imports
them from memory ahead of `sys.path`, so nothing in the working directory can shadow them, and
calls `main.main()`. It imports MODULE (and MODULE.SUBMODULE for each requested submodule),
describes its public functions, classes and constants, and prints ONE JSON document on the real
stdout:

    {"python_version": "3.11.7", "library_version": "2.3.5" | null, "executable": "...",
     "elapsed_seconds": 1.23, "warnings": [...], "result": <ModuleInfo>}

or, when the module cannot be imported (or the run fails as a whole):

    {"python_version": ..., "error": {"type": "ModuleNotFoundError", "message": "...",
                                      "traceback": "...", "module": "..."}}

The exit status is 0 whenever a JSON document was printed; anything else is a crash of this
package. <ModuleInfo> is the serde form of `model.rs` (the contract with the Rust side).

Type information, best first: the package's own `.pyi` stubs (parsed with `ast`, never imported),
typeshed (mypy's or jedi's copy, or SNAKEBRIDGE_TYPESHED), `inspect.signature` with annotations,
`__text_signature__`, and the docstring's first line. Whatever the source, the runtime has the
last word on parameter kinds (positional-only, keyword-only) where it knows them. Type variables
are read as their bound, or the union of their constraints; an unconstrained one stays `~T`.

Only the standard library is used: this runs in whatever interpreter the user points us at.

Modules, each importing only those above it:

- `text`: docstrings and reprs as the output carries them;
- `typeexpr`: TypeExpr values and canonical names;
- `output`: the answer channel (stdout), warnings, error documents;
- `runtime_types`: runtime annotations as TypeExpr values;
- `stub_files`: stub files parsed into symbol tables, typeshed's location;
- `stubs`: `Stubs`: finding stubs, following names, stub annotations as TypeExpr values;
- `signatures`: one signature from each source (stub, inspect, text signature, docstring);
- `runtime`: inspection of live objects (callable kinds, C parameter kinds, class facts);
- `exports`: which names are the module's items (defined or deliberately exported, never
  `typing`'s constructs);
- `sources`: the best source's signatures for an object;
- `overloads`: overloads the stubs do not spell (numpy ufuncs on Python scalars);
- `introspector`: `Introspector`, one module described as a `ModuleInfo`;
- `main`: the entry point.
"""
