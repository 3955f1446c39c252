"""Diff speed: two generated bundles of N objects each with 1% changed, against loading them.

    python bench/diff_bench.py [--objects 10000] [--changed 0.01]

The objects are spread over Exchange servers, Azure AD Connect sync rules, DKIM
domains and mail-authentication domains, cloned from the demo's real facts under
new identity keys. The baseline is loading (parsing,
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

from docgen.app.demo import run_demo  # noqa: E402
from docgen.bundle import dump_bundle, load_bundle  # noqa: E402
from docgen.diff import diff_bundles  # noqa: E402


def _rekey_server(item: dict, number: int) -> None:
    name = f"EX{number:05d}"
    item.update(key=name.lower(), name=name)


def _rekey_rule(rule: dict, number: int) -> None:
    rule_id = f"00000000-0000-4000-8000-{number:012d}"
    rule.update(id=rule_id, key=rule_id, name=f"{rule['name']} #{number}")


def _rekey_domain(item: dict, number: int) -> None:
    domain = f"d{number:05d}.example"
    item.update(key=domain, domain=domain)


def _modify_server(item: dict) -> None:
    item["fqdn"] = f"renamed-{item['fqdn']}"


def _modify_rule(rule: dict) -> None:
    rule["precedence"] = (rule["precedence"] or 0) + 1000


def _modify_dkim(item: dict) -> None:
    item["active_selector"] = "selector2" if item["active_selector"] != "selector2" else "selector1"


def _modify_mail_auth(item: dict) -> None:
    item["dmarc"]["records"] = [*item["dmarc"]["records"], "v=DMARC1; p=reject"]


# (section, collection inside the section or its first item) -> (re-key a clone, change one fact)
GROWERS = {
    ("exchange_certificates", "items"): (_rekey_server, _modify_server),
    ("aadconnect", "items[0].sync_rules"): (_rekey_rule, _modify_rule),
    ("dkim", "items"): (_rekey_domain, _modify_dkim),
    ("mail_auth", "items"): (_rekey_domain, _modify_mail_auth),
}


def _holder(bundle: dict, section: str, path: str) -> tuple[dict, str]:
    """The dict holding the collection, and the collection's key in it."""
    holder = bundle["sections"][section]
    if path.startswith("items[0]."):
        return holder["items"][0], path[len("items[0]."):]
    return holder, path


def grow(bundle: dict, total: int) -> dict:
    """Clone elements of every known collection until the bundle holds `total` objects."""
    grown = copy.deepcopy(bundle)
    collections = [(section, path, rekey) for (section, path), (rekey, _) in GROWERS.items()
                   if section in grown["sections"]]
    share = total // len(collections)
    for section, path, rekey in collections:
        holder, name = _holder(grown, section, path)
        templates = holder[name]
        elements = []
        for number in range(share):
            element = copy.deepcopy(templates[number % len(templates)])
            rekey(element, number)
            elements.append(element)
        holder[name] = elements
    return grown


def mutate(bundle: dict, fraction: float, seed: int = 7) -> tuple[dict, int]:
    """Change `fraction` of all objects: remove, add, or modify one field."""
    rng = random.Random(seed)
    changed = copy.deepcopy(bundle)
    count = 0
    for (section, path), (rekey, modify) in GROWERS.items():
        if section not in changed["sections"]:
            continue
        holder, name = _holder(changed, section, path)
        elements = holder[name]
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
                modify(elements[position])
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
