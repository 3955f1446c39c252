"""The loopback DNS test server in a process of its own, for benchmarks and soak tests.

In the process under test the server would compete with the client's threads
for the interpreter; in its own process it has a core of its own, as a real
nameserver would. The parent drives it over stdin/stdout, one line a command:
``counters`` (JSON), ``clear``, ``plan <JSON of a FaultPlan or null>``,
``drop <name> ...`` (never answer those names), ``quit``.

    with ServerProcess(zone_files, FaultPlan(drop_rate=0.05)) as server:
        ... ask 127.0.0.1:server.port ...
        server.set_plan(None)
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from support.dns_server import DnsTestServer, FaultPlan

TESTS = Path(__file__).resolve().parents[1]


class ServerProcess:
    """A child process serving `zone_files` on 127.0.0.1 with an optional fault plan."""

    def __init__(self, zone_files: list[Path], plan: FaultPlan | None = None) -> None:
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "support.dns_server_process", _plan_json(plan),
             *map(str, zone_files)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.process.kill()
            raise RuntimeError(f"the DNS server process did not start ({line.strip()!r})")
        self.port = int(line)
        self.host = "127.0.0.1"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def counters(self) -> dict[str, int]:
        return json.loads(self._ask("counters"))

    def clear(self) -> None:
        self._ask("clear")

    def set_plan(self, plan: FaultPlan | None) -> None:
        self._ask(f"plan {_plan_json(plan)}")

    def drop(self, names: list[str]) -> None:
        """Never answer queries for these names (exact names, any type)."""
        self._ask("drop " + " ".join(names))

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _plan_json(plan: FaultPlan | None) -> str:
    return json.dumps(dataclasses.asdict(plan) if plan else None)


def _plan(text: str) -> FaultPlan | None:
    fields = json.loads(text)
    return FaultPlan(**fields) if fields else None


def serve(plan_text: str, files: list[str]) -> None:
    with DnsTestServer.from_zone_files(files, fault_plan=_plan(plan_text),
                                       log_limit=1) as server:
        # The zones are loaded for good: keep the collector from rescanning them.
        gc.freeze()
        print(server.port, flush=True)
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "counters":
                print(json.dumps(server.counters), flush=True)
            elif command == "clear":
                server.clear_log()
                print("ok", flush=True)
            elif command == "plan":
                server.set_fault_plan(_plan(argument))
                print("ok", flush=True)
            elif command == "drop":
                for name in argument.split():
                    server.set_fault(name, drop=True)
                print("ok", flush=True)
            elif command == "quit":
                break


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
