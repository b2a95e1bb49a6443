"""A local Ray cluster for ``RayConfig::local()`` (``src/pool/ray/local.rs``): started once per
Rust process, it prints one JSON line (``{"address": ...}`` or ``{"error": ...}``) and serves
until its stdin closes (the Rust process exited or died), then stops Ray and removes its
session folder. Importing this module runs it."""

import json
import logging
import os
import shutil
import sys


def main():
    temp_dir = os.environ["SNAKEBRIDGE_RAY_TEMP_DIR"]
    try:
        import ray

        context = ray.init(
            include_dashboard=False,
            object_store_memory=int(os.environ["SNAKEBRIDGE_RAY_OBJECT_STORE"]),
            logging_level=logging.ERROR,
            log_to_driver=False,
            _node_ip_address="127.0.0.1",
            _temp_dir=temp_dir,
        )
        print(json.dumps({"address": context.address_info["gcs_address"]}), flush=True)
    except BaseException as e:  # noqa: BLE001 - said to Rust, which makes it the pool's error
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}), flush=True)
        shutil.rmtree(temp_dir, ignore_errors=True)
        os._exit(1)
    try:
        sys.stdin.buffer.read()
    finally:
        try:
            ray.shutdown()
        finally:
            shutil.rmtree(temp_dir, ignore_errors=True)
            os._exit(0)


main()
