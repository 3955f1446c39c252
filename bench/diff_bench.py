"""Diff speed: two generated bundles of N objects each with 1% changed, against loading them.

    python bench/diff_bench.py [--objects 10000] [--changed 0.01]

The objects are spread over every section the sample bundles have, cloned from
the demo's real facts under new identity keys. The baseline is loading (parsing,
migrating, validating) both bundles, measured in the same run. Goal: the diff
under 1 s and within 3x of loading.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from docgen.bundle import dump_bundle, load_bundle  # noqa: E402
from docgen.diff import diff_bundles  # noqa: E402
from docgen.workflow import run_demo  # noqa: E402

# section -> (list of its collections to grow, how to re-key a cloned element)
def _rekey_server(item: dict, number: int) -> None:
    name = f"EX{number:05d}"
    item.update(key=name.lower(), name=name)


GROWERS = {
    ("exchange_certificates", "items"): _rekey_server,
}


def grow(bundle: dict, total: int) -> dict:
    """Clone elements of every known collection until the bundle holds `total` objects."""
    grown = copy.deepcopy(bundle)
    collections = [(section, path, rekey) for (section, path), rekey in GROWERS.items()
                   if section in grown["sections"]]
    share = total // len(collections)
    for section, path, rekey in collections:
        templates = grown["sections"][section][path]
        elements = []
        for number in range(share):
            element = copy.deepcopy(templates[number % len(templates)])
            rekey(element, number)
            elements.append(element)
        grown["sections"][section][path] = elements
    return grown


def mutate(bundle: dict, fraction: float, seed: int = 7) -> tuple[dict, int]:
    """Change `fraction` of all objects: remove, add, or modify one field."""
    rng = random.Random(seed)
    changed = copy.deepcopy(bundle)
    count = 0
    for (section, path), rekey in GROWERS.items():
        if section not in changed["sections"]:
            continue
        elements = changed["sections"][section][path]
        picks = rng.sample(range(len(elements)), max(1, int(len(elements) * fraction)))
        for position in sorted(picks, reverse=True):
            action = position % 3
            if action == 0:
                del elements[position]
            elif action == 1:
                clone = copy.deepcopy(elements[position])
                rekey(clone, 900000 + position)
                elements.append(clone)
            else:
                elements[position]["name"] = elements[position]["name"] + "-renamed"
            count += 1
    changed["run_id"] = "00000000-0000-4000-8000-00000000beef"
    return changed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--changed", type=float, default=0.01)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = run_demo(work / "demo", formats=())
        base = json.loads(demo.bundle_path.read_text())
        before = grow(base, args.objects)
        after, mutations = mutate(before, args.changed)
        (work / "before.json").write_bytes(dump_bundle(before))
        (work / "after.json").write_bytes(dump_bundle(after))

        start = time.perf_counter()
        loaded_before = load_bundle(work / "before.json")
        loaded_after = load_bundle(work / "after.json")
        load_seconds = time.perf_counter() - start

        start = time.perf_counter()
        document = diff_bundles(loaded_before, loaded_after)
        diff_seconds = time.perf_counter() - start

    reported = document["summary"]["changes"]
    size_mb = (len(loaded_before.raw) + len(loaded_after.raw)) / 1e6
    print(f"objects per bundle: {args.objects}  mutated: {mutations}  changes reported: {reported}  "
          f"bundles: {size_mb:.1f} MB")
    print(f"{'step':<28}{'seconds':>10}{'ratio to load':>16}")
    print(f"{'load both (baseline)':<28}{load_seconds:>10.3f}{1:>16.2f}")
    print(f"{'diff':<28}{diff_seconds:>10.3f}{diff_seconds / load_seconds:>16.2f}")
    print(f"goal: diff < 1 s ({'met' if diff_seconds < 1 else 'NOT met'}), "
          f"within 3x of load ({'met' if diff_seconds <= 3 * load_seconds else 'NOT met'})")


if __name__ == "__main__":
    main()
