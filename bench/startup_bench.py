"""Benchmark: how long `docgen --version` and `docgen --help` take to start, beside a
minimal click program (the baseline) and bare Python, measured in the same run.

Goal (issue: fast where people wait): docgen within 0.25 s on this 2-core machine.

    python bench/startup_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = """
import click

@click.group()
@click.version_option("1.0")
def cli():
    "A click program of one group."

@cli.command()
def hello():
    "Say hello."

cli()
"""

COMMANDS = {
    "python (nothing imported)": [sys.executable, "-c", "pass"],
    "click baseline --version": [sys.executable, "-c", BASELINE, "--version"],
    "docgen --version": [sys.executable, "-m", "docgen", "--version"],
    "docgen --help": [sys.executable, "-m", "docgen", "--help"],
    "docgen render --help": [sys.executable, "-m", "docgen", "render", "--help"],
}


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    results = {name: median_seconds(command, runs) for name, command in COMMANDS.items()}
    baseline = results["click baseline --version"]
    print(f"median of {runs} runs each")
    for name, seconds in results.items():
        print(f"{name:28s} {seconds:6.3f} s   {seconds / baseline:5.2f}x the click baseline")
    worst = max(results["docgen --version"], results["docgen --help"])
    print(f"goal: docgen --version and --help within 0.25 s: {'met' if worst <= 0.25 else 'NOT met'}"
          f" ({worst:.3f} s)")


if __name__ == "__main__":
    main()
