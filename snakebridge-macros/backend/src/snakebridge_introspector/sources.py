"""Which signatures an object gets: the best source that has them (its stub, the runtime's
signature, the text signature, the docstring), and finding the stub symbol of an object."""

import ast
import inspect
import typing

from .numpydoc import apply_doc_types
from .runtime import _plain_function, _runtime_kinds, _runtime_sig
from .signatures import (
    PK, _fallback_defaults, docstring_signature, inspect_signature, runtime_defaults, stub_signature,
    text_signature,
)
from .stub_files import _dotted


class SignatureSources:
    """Mixed into `Introspector` (which sets `self.stubs`, a `Stubs`): the signatures of one
    object from the best source that has them."""

    def signatures(self, obj, name, stub_target, drop_first, self_type, runtime_target=None):
        """(signatures, source) for `obj`, best source first.

        stub_target: a (StubModule, Sym) pair already found, or None.
        runtime_target: what to give inspect.signature (defaults to obj).
        """
        rt_obj = obj if runtime_target is None else runtime_target
        rsig = _runtime_sig(rt_obj) if rt_obj is not None else None
        # Stubs (typeshed's older ones especially) may spell parameters as ordinary ones
        # although the runtime takes them only by position (`math.log(x, base)`, a C function
        # without keyword support) or only by keyword (`numpy.linalg.tensordot(x1, x2, /, *,
        # axes=2)`): the runtime decides. (A class's runtime signature has no `self` to drop.)
        rt_kinds = _runtime_kinds(rt_obj, rsig, drop_first and not inspect.isclass(rt_obj))
        if stub_target is not None:
            sm, sym = stub_target
            # Stubs write defaults as `...`; the real values come from the runtime signature,
            # or (ufuncs, C functions) from the text signature or the docstring.
            if rsig is not None:
                defaults = runtime_defaults(rsig)
            else:
                defaults = _fallback_defaults(rt_obj, name, drop_first)
            sigs = self.stub_sym_signatures(sm, sym, drop_first, self_type, defaults, rt_kinds=rt_kinds)
            if sigs:
                return sigs, sm.source
        if rsig is not None:
            overloads = self.runtime_overloads(rt_obj, rsig, drop_first, self_type)
            if overloads:
                return overloads, "inspect"
            sig = inspect_signature(rsig, drop_first, _plain_function(rt_obj), self_type)
            src = "inspect"
            if _plain_function(rt_obj) is None and isinstance(
                getattr(rt_obj, "__text_signature__", None), str
            ):
                src = "text_signature"
            # numpydoc types for what the runtime leaves unannotated (below stubs, above bare
            # inspect); the signature's names and kinds stay the runtime's.
            if apply_doc_types(sig, getattr(rt_obj, "__doc__", None), self.doc_classes):
                src = "docstring"
            return [sig], src
        if rt_obj is not None:
            sig = text_signature(rt_obj, drop_first)
            if sig is not None:
                return [sig], "text_signature"
            doc = getattr(rt_obj, "__doc__", None)
            sig = docstring_signature(doc, name, drop_first, rt_kinds)
            if sig is not None:
                return [sig], "docstring"
        return [], "unknown"

    def runtime_overloads(self, obj, rsig, drop_first, self_type):
        """The signatures of a Python function's `@overload`s (`typing.get_overloads`, Python
        3.11+), one per overload as a stub's overloads are, with the implementation's real
        defaults in place of the overloads' `...`; [] when it has none."""
        func = _plain_function(obj)
        get_overloads = getattr(typing, "get_overloads", None)
        if func is None or get_overloads is None:
            return []
        try:
            overloads = get_overloads(func)
        except Exception:
            return []
        defaults = {p.name: p.default for p in rsig.parameters.values() if p.default is not PK.empty}
        sigs = []
        for o in overloads:
            osig = _runtime_sig(o)
            if osig is None:
                return []
            params = [
                p.replace(default=defaults[p.name]) if p.name in defaults and p.default is not PK.empty else p
                for p in osig.parameters.values()
            ]
            sigs.append(inspect_signature(osig.replace(parameters=params), drop_first, o, self_type))
        return sigs

    def stub_sym_signatures(self, sm, sym, drop_first, self_type, defaults, depth=0, rt_kinds=None):
        ctx = {"self_type": self_type}
        if sym.kind == "def":
            drop = drop_first and not sym.static
            return [stub_signature(self.stubs, sm, d, drop, ctx, defaults, rt_kinds) for d in sym.defs]
        if sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
            # `sin: _UFunc_Nin1_Nout1[...]`: the signatures of the annotated class's __call__.
            ann = sym.node.annotation
            if isinstance(ann, ast.Subscript) and (_dotted(ann.value) or "").rpartition(".")[2] in (
                "Final", "ClassVar",
            ):
                ann = ann.slice
            if isinstance(ann, ast.Subscript):
                ann = ann.value
            dotted = _dotted(ann)
            if dotted:
                r = self.stubs.resolve_in(sm, dotted, for_types=True)
                if r[0] == "sym" and r[2].kind == "class":
                    call = self.find_in_stub_class(r[1], r[2].node, "__call__")
                    if call is not None and call[1].kind == "def":
                        csm, csym = call
                        return [stub_signature(self.stubs, csm, d, True, ctx, defaults, rt_kinds)
                                for d in csym.defs]
        if sym.kind == "var" and isinstance(sym.node, ast.Assign) and depth < 4:
            # `abs = absolute`: the stub re-binds another function under a second name.
            dotted = _dotted(sym.node.value)
            if dotted:
                r = self.stubs.resolve_in(sm, dotted)
                if r[0] == "sym" and r[2].kind in ("def", "var"):
                    return self.stub_sym_signatures(r[1], r[2], drop_first, self_type, defaults,
                                                    depth + 1, rt_kinds)
                # `randint = _inst.randint` with `_inst: Random`: a bound method of an instance.
                head, _, attr = dotted.rpartition(".")
                if head and "." not in head:
                    r = self.stubs.resolve_in(sm, head)
                    if r[0] == "sym" and r[2].kind == "var" and isinstance(r[2].node, ast.AnnAssign):
                        cls_name = _dotted(r[2].node.annotation)
                        c = self.stubs.resolve_in(r[1], cls_name, for_types=True) if cls_name else None
                        if c is not None and c[0] == "sym" and c[2].kind == "class":
                            found = self.find_in_stub_class(c[1], c[2].node, attr)
                            if found is not None and found[1].kind == "def":
                                return self.stub_sym_signatures(found[0], found[1], True, self_type,
                                                                defaults, depth + 1, rt_kinds)
        return []

    def find_in_stub_class(self, sm, node, name):
        for csm, cnode in self.stubs.stub_mro(sm, node):
            sym = self.stubs.class_body(csm, cnode).get(name)
            if sym is not None:
                return csm, sym
        return None

    def stub_for(self, keys):
        """The first (StubModule, Sym) found for any (module, dotted name) key."""
        for modname, dotted in keys:
            if not modname or not dotted or "<" in dotted:
                continue
            try:
                r = self.stubs.follow_dotted(modname, dotted)
            except RecursionError:
                continue
            if r[0] == "sym" and not r[1].is_source:
                return r[1], r[2]
        return None
