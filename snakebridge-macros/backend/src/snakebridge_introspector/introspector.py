"""`Introspector`: one module described as `model.rs`'s `ModuleInfo`: its functions, classes
(constructor, members, operators, protocols, bases and MRO) and constants, and what it had to
leave out."""

import ast
import inspect
import sys
import types
import typing
import warnings

from .output import warn
from .overloads import ufunc_scalar_signatures
from .numpydoc import apply_doc_types
from .runtime import (
    _ctor_kind, _init_assigned, _is_builtin_type, _is_coroutine_fn, _is_generator_fn, _is_submodule, _iter_return,
    _mirrored, _runtime_sig, _tuple_fields, callable_kind,
)
from .exports import bound_names
from .runtime_types import rt_type
from .signatures import docstring_signature, inspect_signature, text_signature
from .sources import SignatureSources
from .stub_files import _is_final
from .stubs import Stubs
from .text import clean_doc, scrub
from .typeexpr import class_name, name_t


SPECIAL_METHODS = (
    "__call__", "__getitem__", "__setitem__", "__delitem__", "__len__", "__iter__", "__next__",
    "__contains__", "__enter__", "__exit__",
)


# Operator protocols, bound as Rust operators and methods (`ClassInfo.operators`), not as
# ordinary methods.
OPERATOR_METHODS = frozenset(
    "__%s__" % n
    for n in (
        "add sub mul truediv floordiv mod pow matmul and or xor lshift rshift "
        "radd rsub rmul rtruediv rfloordiv rmod rpow rmatmul rand ror rxor rlshift rrshift "
        "neg pos abs invert lt le gt ge iadd isub imul itruediv"
    ).split()
)


class Introspector(SignatureSources):
    def __init__(self):
        self.stubs = Stubs()
        # id(class) -> (unique qualified name, class); see class_id.
        self.class_ids = {}
        self.class_id_taken = set()
        # Members of the module being described that could not be described: listed in the
        # module's rustdoc by the Rust side.
        self.left_out = []
        # The module's class names a docstring may name as types (numpydoc), by short name.
        self.doc_classes = {}

    def leave_out(self, name, why, exc=None):
        reason = why if exc is None else "%s: %s: %s" % (why, type(exc).__name__, scrub(str(exc))[:300])
        warn("%s: %s" % (name, reason))
        if len(self.left_out) < 200:
            self.left_out.append({"name": name, "reason": reason})

    # ---- members ------------------------------------------------------------------------

    def function_info(self, name, obj, modname):
        info = {"name": name, "kind": callable_kind(obj)}
        doc = clean_doc(getattr(obj, "__doc__", None))
        if doc:
            info["doc"] = doc
        keys = [(modname, name)]
        omod = getattr(obj, "__module__", None)
        oqual = getattr(obj, "__qualname__", None)
        if isinstance(omod, str) and isinstance(oqual, str):
            keys.append((omod, oqual))
        target = self.stub_for(keys)
        if target is not None and target[1].kind not in ("def", "var"):
            target = None
        sigs, source = self.signatures(obj, name, target, False, None)
        if info["kind"] == "ufunc":
            sigs = ufunc_scalar_signatures(obj, sigs) + sigs
        info["signatures"] = sigs
        info["signature_source"] = source
        info["is_generator"] = _is_generator_fn(obj) or (source in ("stub", "typeshed") and _iter_return(sigs))
        if _is_coroutine_fn(obj):
            info["is_coroutine"] = True
        return info

    def constant_info(self, name, obj):
        t = type(obj)
        info = {"name": name, "type_name": class_name(t) or "NoneType"}
        value = None
        if obj is None:
            value = None
            info["value"] = None
        elif t is bool:
            value = obj
        elif t is int:
            if -(2**63) <= obj < 2**63:
                value = obj
        elif t is float:
            if obj != obj:
                value = "nan"
            elif obj in (float("inf"), float("-inf")):
                value = "inf" if obj > 0 else "-inf"
            else:
                value = obj
        elif t is str:
            if len(obj) <= 10000:
                value = obj
        if value is not None:
            info["value"] = value
        doc = getattr(obj, "__doc__", None)
        if isinstance(doc, str) and doc != getattr(t, "__doc__", None):
            d = clean_doc(doc)
            if d:
                info["doc"] = d
        return info

    def class_id(self, cls):
        """The class's qualified name, made unique: two class objects can share one
        (`urllib.parse.SplitResult` subclasses a namedtuple also called `urllib.parse.SplitResult`),
        and the Rust side tells classes apart by this name. The first class seen keeps the plain
        name (exported classes are registered first, so annotations naming it find it); a later
        one gets `#2`, `#3`, ..."""
        known = self.class_ids.get(id(cls))
        if known is not None:
            return known[0]
        qn = class_name(cls) or getattr(cls, "__name__", "?")
        unique, n = qn, 1
        while unique in self.class_id_taken:
            n += 1
            unique = "%s#%d" % (qn, n)
        self.class_id_taken.add(unique)
        # The class object is kept alive with its id so the id is never reused for another class.
        self.class_ids[id(cls)] = (unique, cls)
        return unique

    def builtin_protocols(self, cls, qn, methods, operators):
        """Adds the protocol methods and operators a builtin base provides (`OrderedDict` gets
        `dict`'s `__getitem__`, `__len__`, ...), typed by typeshed's builtins: builtins are not
        mirrored as classes, so the first mirrored class below one carries what it provides."""
        mro = getattr(cls, "__mro__", ())
        have = {m["name"] for m in methods} | {o["name"] for o in operators}
        for i, base in enumerate(mro[1:], 1):
            if base is object or getattr(base, "__module__", None) != "builtins":
                continue
            if any(_mirrored(k) and issubclass(k, base) for k in mro[1:i]):
                continue
            stub = self.stub_for([("builtins", base.__qualname__)])
            if stub is not None and stub[1].kind != "class":
                stub = None
            body = self.stubs.class_body(stub[0], stub[1].node) if stub else {}
            for mname in sorted(base.__dict__):
                if mname in have or not (mname in SPECIAL_METHODS or mname in OPERATOR_METHODS):
                    continue
                if any(mname in getattr(k, "__dict__", {}) for k in mro[:i]):
                    continue
                try:
                    m = self.member(cls, qn, mname, base.__dict__[mname], stub, body)
                except Exception:
                    continue
                if m is None or m.get("binding") != "instance":
                    continue
                have.add(mname)
                (operators if mname in OPERATOR_METHODS else methods).append(m)

    def class_info(self, name, cls, modname, exported):
        qn = class_name(cls)
        info = {"name": name, "qualified_name": self.class_id(cls), "exported": exported}
        doc = clean_doc(cls.__dict__.get("__doc__"))
        if doc:
            info["doc"] = doc
        bases = []
        for b in getattr(cls, "__bases__", ()):
            if b is object or b is typing.Generic or getattr(b, "_is_protocol", False) and b.__module__ == "typing":
                continue
            bases.append(self.class_id(b))
        info["bases"] = bases
        # The whole MRO (after the class itself) of the classes the bindings mirror: the order in
        # which Python looks members up, which the Rust side follows.
        try:
            info["mro"] = [self.class_id(b) for b in cls.__mro__[1:] if _mirrored(b)]
        except Exception as e:
            warn("%s: __mro__: %s: %s" % (qn, type(e).__name__, e))
        fields = _tuple_fields(cls)
        if fields is not None:
            info["fields"] = fields
        try:
            if issubclass(cls, BaseException):
                info["exception"] = True
        except TypeError:
            pass

        keys = []
        if exported:
            keys.append((modname, name))
        keys.append((cls.__module__, cls.__qualname__))
        stub = self.stub_for(keys)
        if stub is not None and stub[1].kind != "class":
            stub = None
        stub_body = self.stubs.class_body(stub[0], stub[1].node) if stub else {}

        # constructor
        try:
            info["constructor"] = self.constructor(cls, qn, stub)
        except Exception as e:
            warn("%s: constructor: %s: %s" % (qn, type(e).__name__, e))
            info["constructor"] = {"name": "__init__", "kind": "function", "signatures": [],
                                   "signature_source": "unknown", "is_generator": False}

        methods = []
        operators = []
        attributes = {}
        own = dict(cls.__dict__)
        for mname in sorted(own):
            public = not mname.startswith("_")
            if mname in OPERATOR_METHODS:
                try:
                    m = self.member(cls, qn, mname, own[mname], stub, stub_body)
                except Exception as e:
                    self.leave_out("%s.%s" % (qn, mname), "introspection failed", e)
                    continue
                if m is not None and m.get("binding") == "instance":
                    operators.append(m)
                continue
            if not public and mname not in SPECIAL_METHODS:
                continue
            raw = own[mname]
            try:
                m = self.member(cls, qn, mname, raw, stub, stub_body)
            except Exception as e:
                self.leave_out("%s.%s" % (qn, mname), "introspection failed", e)
                continue
            if m is None:
                continue
            if "binding" in m:
                methods.append(m)
            elif public:
                attributes[mname] = m

        self.builtin_protocols(cls, qn, methods, operators)

        # Stub-declared attributes of this class (instance attributes, properties of C types).
        method_names = {m["name"] for m in methods}
        for aname, sym in stub_body.items():
            if aname.startswith("_") or aname in attributes or aname in method_names:
                continue
            if sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
                a = {"name": aname, "readonly": _is_final(sym.node.annotation)}
                a["annotation"] = self.stubs.type_of(sym.node.annotation, stub[0], {"self_type": qn})
                attributes[aname] = a
            elif sym.kind == "property" and aname in own:
                a = {"name": aname, "readonly": not sym.setter}
                if sym.defs[0].returns is not None:
                    a["annotation"] = self.stubs.type_of(sym.defs[0].returns, stub[0], {"self_type": qn})
                attributes[aname] = a

        # Attributes declared on stub-only bases, and on generic bases with their type
        # variables substituted (see `inherited_stub_attributes`).
        if stub is not None:
            for aname, a in self.inherited_stub_attributes(cls, qn, stub, own).items():
                if aname not in attributes and aname not in method_names:
                    attributes[aname] = a

        # Instance attributes assigned in __init__ (`self.item_separator = ...`).
        for aname in _init_assigned(cls):
            if aname not in attributes and aname not in method_names and not aname.startswith("_"):
                attributes[aname] = {"name": aname, "readonly": False}

        # Runtime class annotations (dataclasses, NamedTuple, annotated classes).
        anns = cls.__dict__.get("__annotations__")
        if isinstance(anns, dict):
            globalns = getattr(sys.modules.get(cls.__module__), "__dict__", None)
            for aname, ann in anns.items():
                if not isinstance(aname, str) or aname.startswith("_") or aname in method_names:
                    continue
                a = attributes.get(aname) or {"name": aname, "readonly": False}
                if "annotation" not in a:
                    try:
                        a["annotation"] = rt_type(ann, globalns, qn)
                    except Exception:
                        pass
                attributes[aname] = a

        info["methods"] = sorted(methods, key=lambda m: m["name"])
        if operators:
            info["operators"] = sorted(operators, key=lambda m: m["name"])
        info["attributes"] = [attributes[k] for k in sorted(attributes)]
        return info

    def inherited_stub_attributes(self, cls, qn, stub, own):
        """Attributes the class inherits whose type only its stub's ancestry gives, as type
        checkers see it: fields declared on a base the runtime does not have under that name
        (typeshed's `platform.uname_result` derives from `_uname_result_base`, the runtime's
        `uname_result_base`), and members of a generic base with its type variables substituted
        (`ParseResult(_ParseResultBase[str])`: `netloc` is `str`, not `AnyStr`). Members the
        runtime class does not have, and those of bases with their own stub and no
        substitution (bound on that base already), are left out."""
        out = {}
        for csm, cnode, subst in self.stubs.stub_ancestors(stub[0], stub[1].node):
            body = self.stubs.class_body(csm, cnode)
            for aname, sym in body.items():
                if aname.startswith("_") or aname in own or aname in out or not hasattr(cls, aname):
                    continue
                if sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
                    ann, readonly = sym.node.annotation, _is_final(sym.node.annotation)
                elif sym.kind == "property" and sym.defs[0].returns is not None:
                    ann, readonly = sym.defs[0].returns, not sym.setter
                else:
                    continue
                t = self.stubs.type_of(ann, csm, {"self_type": qn, "subst": subst})
                if self._owner_has_stub(cls, aname) and (
                    not subst or t == self.stubs.type_of(ann, csm, {"self_type": qn})
                ):
                    continue  # the base's own binding already has this type
                if aname in (_tuple_fields(cls) or ()):
                    readonly = True
                out[aname] = {"name": aname, "readonly": readonly, "annotation": t}
        return out

    def _owner_has_stub(self, cls, aname):
        """Whether the runtime class that defines `aname` for `cls` has a stub of its own."""
        owner = next((k for k in getattr(cls, "__mro__", ()) if aname in getattr(k, "__dict__", {})), None)
        if owner is None:
            return False
        return self.stub_for([(owner.__module__, owner.__qualname__)]) is not None

    def constructor(self, cls, qn, stub):
        if stub is not None:
            for csm, cnode in self.stubs.stub_mro(stub[0], stub[1].node):
                body = self.stubs.class_body(csm, cnode)
                for special in ("__init__", "__new__"):
                    sym = body.get(special)
                    if sym is not None and sym.kind == "def":
                        sigs, source = self.signatures(None, special, (csm, sym), True, qn, runtime_target=cls)
                        if sigs:
                            for s in sigs:
                                s.pop("returns", None)
                                s["text"] = s["text"].split(" -> ")[0]
                            return _fn("__init__", _ctor_kind(cls), sigs, source)
                        break
                else:
                    continue
                break
        rsig = _runtime_sig(cls)
        if rsig is not None:
            init = cls.__dict__.get("__init__") if "__init__" in cls.__dict__ else getattr(cls, "__init__", None)
            func = init if inspect.isfunction(init) else None
            sig = inspect_signature(rsig, False, func, qn)
            src = "inspect" if func is not None or not _is_builtin_type(cls) else "text_signature"
            # numpydoc documents a constructor's parameters in the class docstring (or __init__'s).
            for doc in (cls.__dict__.get("__doc__"), getattr(func, "__doc__", None)):
                if apply_doc_types(sig, doc, self.doc_classes):
                    src = "docstring"
                    break
            sig.pop("returns", None)
            sig["text"] = sig["text"].split(" -> ")[0]
            return _fn("__init__", _ctor_kind(cls), [sig], src)
        for special in ("__init__", "__new__"):
            target = cls.__dict__.get(special)
            if target is not None:
                sig = text_signature(target, True)
                if sig is not None:
                    return _fn("__init__", _ctor_kind(cls), [sig], "text_signature")
        sig = docstring_signature(cls.__dict__.get("__doc__"), cls.__name__, False)
        if sig is not None:
            sig.pop("returns", None)
            sig["text"] = sig["text"].split(" -> ")[0]
            return _fn("__init__", _ctor_kind(cls), [sig], "docstring")
        return _fn("__init__", _ctor_kind(cls), [], "unknown")

    def member(self, cls, qn, mname, raw, stub, stub_body):
        """A MethodInfo dict (has "binding") or an AttributeInfo dict, or None to skip."""
        sym = stub_body.get(mname)
        if stub is not None and sym is None:
            found = self.find_in_stub_class(stub[0], stub[1].node, mname)
            ssm, sym = found if found else (None, None)
        else:
            ssm = stub[0] if stub is not None else None
        if isinstance(raw, property) or type(raw).__name__ in (
            "getset_descriptor", "member_descriptor", "cached_property", "_tuplegetter",
        ):
            fget = getattr(raw, "fget", None) or getattr(raw, "func", None)
            tname = type(raw).__name__
            # A Python property knows whether it has a setter; a C getset descriptor does not
            # say, so the stub decides and, without one, it is taken as read-only (most are).
            # Slots (member descriptors) and cached properties can be assigned.
            # Namedtuple fields (`_tuplegetter`) and struct-sequence fields (member descriptors of
            # a tuple subclass) are read-only like the tuple itself.
            tuple_field = tname == "_tuplegetter" or (
                tname == "member_descriptor" and issubclass(cls, tuple)
            )
            if isinstance(raw, property):
                readonly = raw.fset is None
            else:
                readonly = tuple_field or tname == "getset_descriptor"
            a = {"name": mname}
            doc = clean_doc(getattr(raw, "__doc__", None))
            if doc:
                a["doc"] = doc
            if sym is not None and sym.kind == "property":
                if not isinstance(raw, property) and not tuple_field:
                    readonly = not sym.setter
                if sym.defs[0].returns is not None:
                    a["annotation"] = self.stubs.type_of(sym.defs[0].returns, ssm, {"self_type": qn})
            elif sym is not None and sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
                if not isinstance(raw, property) and not tuple_field:
                    readonly = _is_final(sym.node.annotation)
                a["annotation"] = self.stubs.type_of(sym.node.annotation, ssm, {"self_type": qn})
            elif fget is not None:
                try:
                    hints = typing.get_type_hints(fget)
                    if "return" in hints:
                        a["annotation"] = rt_type(hints["return"], getattr(fget, "__globals__", None), qn)
                except Exception:
                    pass
            a["readonly"] = readonly
            return a
        if inspect.isclass(raw):
            return None
        binding = None
        func = raw
        if isinstance(raw, staticmethod):
            binding, func = "static", raw.__func__
        elif isinstance(raw, classmethod):
            binding, func = "class", raw.__func__
        elif type(raw).__name__ == "classmethod_descriptor":
            binding = "class"
        elif inspect.isfunction(raw) or type(raw).__name__ in (
            "method_descriptor", "wrapper_descriptor", "cython_function_or_method",
            "fused_cython_function",
        ):
            binding = "instance"
        elif type(raw).__name__ == "builtin_function_or_method":
            binding = "static"
        elif callable(raw):
            binding = "instance" if hasattr(type(raw), "__get__") else "static"
        else:
            # Plain class-level data (JSONEncoder.item_separator = ', '): a writable attribute.
            a = {"name": mname, "readonly": False}
            if sym is not None and sym.kind == "var" and isinstance(sym.node, ast.AnnAssign):
                a["annotation"] = self.stubs.type_of(sym.node.annotation, ssm, {"self_type": qn})
                a["readonly"] = _is_final(sym.node.annotation)
            elif type(raw) in (int, float, str, bool, bytes, complex):
                a["annotation"] = name_t(type(raw).__name__)
            return a
        info = {"name": mname, "kind": callable_kind(func)}
        doc = clean_doc(getattr(func, "__doc__", None))
        if doc:
            info["doc"] = doc
        target = (ssm, sym) if sym is not None and sym.kind in ("def", "var") else None
        drop = binding != "static"
        sigs, source = self.signatures(func, mname, target, drop, qn)
        if target is not None and sym.kind == "def":
            # The stub knows best how the method is bound.
            if sym.static:
                binding = "static"
            elif sym.classmethod:
                binding = "class"
        info["signatures"] = sigs
        info["signature_source"] = source
        info["is_generator"] = _is_generator_fn(func) or (
            source in ("stub", "typeshed") and mname != "__iter__" and _iter_return(sigs)
        )
        if _is_coroutine_fn(func):
            info["is_coroutine"] = True
        info["binding"] = binding
        return info

    # ---- modules --------------------------------------------------------------------------

    def declared_by_stub(self, modname):
        """Whether the module's own stub (not one it imports from) declares a name."""

        def declares(name):
            found = self.stub_for([(modname, name)])
            return found is not None and found[0].name == modname

        return declares

    def module_info(self, mod, modname):
        self.left_out = []
        info = {"name": modname}
        doc = clean_doc(getattr(mod, "__doc__", None))
        if doc:
            info["doc"] = doc
        names = bound_names(mod, modname, self.declared_by_stub(modname))
        # Exported classes claim their plain qualified names before any ancestor can, and are
        # the names docstrings' types resolve to. Reading an attribute may raise anything (a
        # module `__getattr__` raising ImportError for an experimental class): such a name is
        # left out here, and said so below.
        self.doc_classes = {}
        for name in names:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    obj = getattr(mod, name)
                if inspect.isclass(obj):
                    self.doc_classes[name] = class_name(obj)
                    self.class_id(obj)
            except Exception:
                pass
        functions, classes, constants = [], [], []
        exported_classes = {}
        for name in names:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    obj = getattr(mod, name)
            except Exception as e:
                # `__all__` may list submodules that are not imported yet (xml.__all__): those
                # are skipped like every other submodule.
                if not _is_submodule(modname, name):
                    self.leave_out("%s.%s" % (modname, name), "reading the attribute failed", e)
                continue
            if isinstance(obj, types.ModuleType):
                continue
            try:
                if inspect.isclass(obj):
                    classes.append(self.class_info(name, obj, modname, True))
                    exported_classes.setdefault(id(obj), obj)
                elif callable(obj):
                    functions.append(self.function_info(name, obj, modname))
                else:
                    constants.append(self.constant_info(name, obj))
            except Exception as e:
                self.leave_out("%s.%s" % (modname, name),
                               "introspection failed, bound without a signature", e)
                if inspect.isclass(obj):
                    classes.append({"name": name, "qualified_name": self.class_id(obj),
                                    "exported": True, "bases": [], "methods": [], "attributes": []})
                elif callable(obj):
                    functions.append({"name": name, "kind": callable_kind(obj), "signatures": [],
                                      "signature_source": "unknown", "is_generator": False})
                else:
                    constants.append({"name": name, "type_name": type(obj).__name__})

        # Ancestors that the module does not export, so that inheritance can be mirrored.
        ancestors = {}
        for cls in exported_classes.values():
            for base in getattr(cls, "__mro__", ())[1:]:
                if id(base) in exported_classes or id(base) in ancestors:
                    continue
                if not _mirrored(base):
                    continue
                ancestors[id(base)] = base
        used = {c["name"] for c in classes}
        for base in sorted(ancestors.values(), key=lambda b: (self.class_id(b), b.__name__)):
            nm = base.__name__
            if nm in used:
                import hashlib

                nm = "%s_%s" % (nm, hashlib.sha256(self.class_id(base).encode()).hexdigest()[:6])
            used.add(nm)
            try:
                classes.append(self.class_info(nm, base, modname, False))
            except Exception as e:
                self.leave_out(self.class_id(base), "introspecting this base class failed", e)

        info["functions"] = sorted(functions, key=lambda f: f["name"])
        info["classes"] = sorted(classes, key=lambda c: c["name"])
        info["constants"] = sorted(constants, key=lambda c: c["name"])
        info["submodules"] = []
        if self.left_out:
            info["left_out"] = self.left_out
        return info


def _fn(name, kind, sigs, source):
    return {"name": name, "kind": kind, "signatures": sigs, "signature_source": source,
            "is_generator": False}
