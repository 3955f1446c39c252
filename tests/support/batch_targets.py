"""Targets for docgen.app.batch.run_in_processes: imported by name in the child processes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def answer_or_die(task: str) -> dict:
    """'exit' ends the process without a result, 'kill' kills it, 'sleep:<folder>' leaves
    its pid in the folder and sleeps; anything else answers."""
    if task == "exit":
        os._exit(7)
    if task == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if task.startswith("sleep:"):
        (Path(task.removeprefix("sleep:")) / f"{os.getpid()}.pid").write_text("")
        time.sleep(120)
    return {"task": task, "pid": os.getpid()}
