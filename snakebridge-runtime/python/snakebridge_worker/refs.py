"""The objects Rust holds handles to: the mirror of ``pool/worker/refs.rs`` (which owns the
handles, batches their releases, and ends a session's). A ref's id carries the worker's
incarnation in its high bits (``id_base``), so an id never names an object of another worker."""

from snakebridge_worker import BUILTINS as __builtins__

from itertools import count

from snakebridge_worker.convert import TAG

#: Why a ref is stale (the ``reason`` of a ``stale`` reply).
STALE_REASON = (
    "the worker no longer holds this object (its last handle was dropped or its session was closed)"
)


class StaleTarget(Exception):
    """A call's target is a ref the worker no longer holds."""

    def __init__(self, rid):
        super().__init__(rid)
        self.rid = rid


def type_name(t):
    """The qualified type name, as pyo3's ``fully_qualified_name`` gives it."""
    module = getattr(t, "__module__", None)
    qualname = getattr(t, "__qualname__", t.__name__)
    if module in (None, "builtins", "__main__"):
        return qualname
    return "%s.%s" % (module, qualname)


class Refs:
    """Ref id -> object, and which session made each ref (closing a session releases them)."""

    def __init__(self, id_base):
        self.objects = {}
        self.ref_session = {}
        self.session_refs = {}
        # One counter for every facet (its `next` is atomic under the GIL).
        self.ids = count(id_base + 1)
        # The session of the call being handled (its refs end with it), or None.
        self.session = None

    def facet(self):
        """These refs as another thread makes them: the same objects, ids and sessions, but a
        ``session`` of its own (the event loop thread converts a task's result in the task's
        session while the serving thread runs a call in another)."""
        other = Refs.__new__(Refs)
        other.__dict__.update(self.__dict__)
        other.session = None
        return other

    def make(self, obj):
        """A wire ref to ``obj``, kept until Rust releases it or its session closes."""
        rid = next(self.ids)
        self.objects[rid] = obj
        session = self.session
        if session is not None:
            self.ref_session[rid] = session
            self.session_refs.setdefault(session, set()).add(rid)
        return {TAG: "ref", "id": str(rid), "type": type_name(type(obj))}

    def get(self, rid, missing):
        """The object of ref ``rid``, or ``missing``."""
        return self.objects.get(rid, missing)

    def target(self, rid):
        """The object a call on ref ``rid`` runs on; StaleTarget when it is gone."""
        rid = int(rid)
        found = self.objects.get(rid, self)
        if found is self:
            raise StaleTarget(rid)
        return found

    def release(self, rid):
        rid = int(rid)
        self.objects.pop(rid, None)
        session = self.ref_session.pop(rid, None)
        if session is not None:
            refs = self.session_refs.get(session)
            if refs is not None:
                refs.discard(rid)

    def close_session(self, session):
        for rid in self.session_refs.pop(session, ()):
            self.objects.pop(rid, None)
            self.ref_session.pop(rid, None)
