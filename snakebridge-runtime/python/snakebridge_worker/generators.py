"""Generators driven step by step from Rust (``generator`` opens one, each ``send`` runs it to
its next ``item`` or its ``returned`` value): the mirror of ``pool/generator.rs``, as the
embedded client's ``embedded/generator.rs`` drives them."""

from snakebridge_worker import BUILTINS as __builtins__

from snakebridge_worker import protocol
from snakebridge_worker.channel import warn
from snakebridge_worker.convert import NotData
from snakebridge_worker.refs import STALE_REASON, StaleTarget


def on_generator(worker, fields):
    """A ``generator`` message: run the call, keep its result to be stepped."""
    mid, req, policy, session, release, final = fields
    fields.clear()
    for rid in release or ():
        worker.refs.release(rid)
    # The Rust callbacks among the arguments live while the generator is opened (Rust serves
    # them during the start only; called by a later step, they raise as ended).
    scope = worker.bind_callbacks(mid)
    worker.refs.session = session
    try:
        reply = _open(worker, mid, req, policy, final)
    finally:
        worker.refs.session = None
        if scope is not None:
            worker.hub.end(scope)
    del req
    if worker.segments.mapped:
        # The generator may hold its arguments for as long as it lives, as a stream's may.
        worker.segments.let_go_of_mapped()
    worker.send(reply)


def _open(worker, mid, req, policy, final):
    if worker.converter.problems:
        reply = worker.problem_reply(mid)
        if reply is not None:
            return reply
    try:
        result = worker.run(req)
        sends = hasattr(result, "send")
        generator = result if sends else iter(result)
    except StaleTarget as e:
        return protocol.stale(mid, str(e.rid), STALE_REASON)
    except BaseException as e:  # noqa: BLE001 - every exception goes back to Rust
        return protocol.err(mid, worker.exception(e))
    worker.generators[mid] = [generator, sends, policy, final, worker.refs.session]
    return protocol.started(mid)


def on_send(worker, fields):
    """A ``send`` message: one step of generator ``id``; the reply is its next item, its return
    value, or its error (the generator is then forgotten)."""
    mid, value = fields
    fields.clear()
    g = worker.generators.get(mid)
    if g is None:
        worker.send(protocol.decode(mid, "generator", "no open generator has this id"))
        return
    if worker.converter.problems:
        reply = worker.problem_reply(mid)
        if reply is not None:
            del worker.generators[mid]
            worker.send(reply)
            return
    generator, sends, policy, final, session = g
    worker.refs.session = session
    try:
        worker.send(_step(worker, mid, generator, sends, value, policy, final))
    finally:
        worker.refs.session = None


def _step(worker, mid, generator, sends, value, policy, final):
    try:
        if sends:
            item = generator.send(value)
        elif value is None:
            item = next(generator)
        else:
            raise TypeError("a %s has no `send`: it takes only next()" % type(generator).__name__)
    except StopIteration as stop:
        del worker.generators[mid]
        return _converted(worker, mid, stop.value, final, protocol.returned)
    except BaseException as e:  # noqa: BLE001
        del worker.generators[mid]
        return protocol.err(mid, worker.exception(e))
    reply = _converted(worker, mid, item, policy, protocol.item)
    if "item" not in reply:
        del worker.generators[mid]
    return reply


def _converted(worker, mid, obj, policy, make):
    """``make(mid, value)`` of ``obj`` converted under ``policy``, or the decode error."""
    try:
        return make(mid, worker.converter.result(obj, policy))
    except NotData as e:
        return protocol.decode(mid, e.what, e.message)
    except Exception as e:  # noqa: BLE001
        return protocol.decode(mid, type(obj).__name__, str(e))


def close(worker, mid):
    """Closes generator ``mid`` (Rust dropped it before its end); False when there is none."""
    g = worker.generators.pop(mid, None)
    if g is None:
        return False
    close_it = getattr(g[0], "close", None)
    if close_it is not None:
        try:
            close_it()
        except BaseException as e:  # noqa: BLE001
            warn("closing a Python generator failed: %r" % (e,))
    return True
