"""The Ray backend's baseline (benches/suite/ray.rs): a Python driver calling an actor method
directly, ``ray.get(actor.add.remote(i, 1))``, the round trip a snakebridge call through a Ray
worker is compared with. Usage: ``snakebridge_ray_baseline.py ADDRESS WARMUP CALLS``; prints
the sorted round-trip times in microseconds, one JSON list. The actor asks for the ``slot``
resource, as the pool's workers do, so it lands where they may."""

import json
import operator
import sys
import time

import ray


def main():
    address, warmup, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ray.init(address=address, logging_level="ERROR", log_to_driver=False)

    @ray.remote(max_restarts=0, max_task_retries=0, num_cpus=0.1)
    class Adder:
        def add(self, a, b):
            return operator.add(a, b)

    actor = Adder.remote()
    for i in range(warmup):
        assert ray.get(actor.add.remote(i, 1)) == i + 1
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        result = ray.get(actor.add.remote(i, 1))
        samples.append((time.perf_counter() - start) * 1e6)
        assert result == i + 1
    ray.kill(actor)
    print(json.dumps(sorted(samples)), flush=True)


main()
