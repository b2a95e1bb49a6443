"""The worker's entry point: the bootstrap imports this module, which runs a worker and exits
the process when it is done."""

from snakebridge_worker.main import run

run()
