"""The pool's workers as Ray actors (``src/pool/ray/``): the processes the Rust pool starts when
its config says ``PoolConfig::ray(..)``. Shipped and imported from memory as the worker package
is (``python/package.rs``).

- ``head``: a local Ray cluster for ``RayConfig::local()``: one per Rust process, stopped (and
  its session folder removed) when the Rust process closes its stdin.
- ``driver``: one per pool slot, in place of a worker process: it holds the slot's private
  channel (the pipes and control socket a local worker would get), starts one actor that runs
  the worker package, and relays frames both ways, unread. The actor's death ends the driver,
  so the pool sees a worker die, as it would a local one; the driver's death ends the actor.
- ``objects``: the driver's large arrays: those Rust sends in shared-memory segments go to the
  actor through Ray's object store, and the reply frees their segments.
- ``actor``: the actor class: the worker package served over pipes inside the actor process,
  its requests pushed in order, its replies pulled through one actor generator.
"""
