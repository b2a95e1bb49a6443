"""A Ray cluster of several nodes on this machine, for snakebridge-runtime/tests/pool_ray.rs.

Starts a head and one more node (``ray.cluster_utils.Cluster``; each with one CPU and one
``slot`` resource, so a pool whose workers ask for a ``slot`` gets one worker per node), prints
``{"address": ..., "nodes": {"head": id, "second": id}}`` and then answers commands on stdin, one
JSON line each:

- ``add NAME``: adds a node like the second; answers its id;
- ``kill NAME``: removes that node at once (its raylet and workers killed), as a lost machine;
- ``actors PREFIX``: the names of the live actors that start with PREFIX.

At EOF it shuts the cluster down and removes its folder.
"""

import json
import os
import shutil
import sys

temp_dir = os.environ["SNAKEBRIDGE_RAY_TEMP_DIR"]
# Everything Ray writes (sessions, the current cluster's address) under temp_dir.
os.environ["RAY_TMPDIR"] = temp_dir
os.makedirs(os.path.join(temp_dir, "ray"), exist_ok=True)

import ray  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402

node_args = {"num_cpus": 1, "resources": {"slot": 1}}
cluster = Cluster(
    initialize_head=True,
    head_node_args=dict(node_args, include_dashboard=False, object_store_memory=320 << 20),
)
nodes = {"head": cluster.head_node}
ray.init(address=cluster.address, logging_level="ERROR", log_to_driver=False)


def add(name):
    nodes[name] = cluster.add_node(**node_args, object_store_memory=320 << 20)
    cluster.wait_for_nodes()
    return nodes[name].node_id


def say(value):
    print(json.dumps(value), flush=True)


try:
    add("second")
    say({"address": cluster.address, "nodes": {k: n.node_id for k, n in nodes.items()}})
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "add":
            say(add(arg))
        elif command == "kill":
            cluster.remove_node(nodes.pop(arg), allow_graceful=False)
            say("killed")
        elif command == "actors":
            say(sorted(a["name"] for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith(arg)))
finally:
    ray.shutdown()
    cluster.shutdown()
    shutil.rmtree(temp_dir, ignore_errors=True)
