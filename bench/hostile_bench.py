"""Benchmark: the PDF of a bundle full of hostile strings against the same bundle in ASCII.

    python bench/hostile_bench.py [--rounds 3]

Builds both bundles through docgen's readers (tests/support/hostile.py: markup, a
4 KB TXT record without spaces, right-to-left and combining characters, CJK,
emoji, characters outside the bundled fonts, control characters; the ASCII
bundle has plain letters of the same lengths), renders each PDF `rounds` times in
turn and prints the best time of each and their ratio (goal: within 2x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from docgen.render.documents import RenderRequest, render_documents  # noqa: E402
from support.hostile import HOSTILE, ascii_of, build_bundle  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docgen-hostile-bench-") as folder:
        bundles = {"hostile": build_bundle(Path(folder) / "hostile", HOSTILE),
                   "ascii": build_bundle(Path(folder) / "ascii",
                                         {slot: ascii_of(text) for slot, text in HOSTILE.items()})}
        best = {kind: float("inf") for kind in bundles}
        for _ in range(args.rounds):
            for kind, loaded in bundles.items():
                started = time.perf_counter()
                render_documents(loaded, RenderRequest(("pdf",), "doc"))
                best[kind] = min(best[kind], time.perf_counter() - started)
    for kind in bundles:
        print(f"{kind:8} PDF: best of {args.rounds}: {best[kind]:.2f} s")
    print(f"ratio hostile / ascii: {best['hostile'] / best['ascii']:.2f}x (goal: within 2x)")


if __name__ == "__main__":
    main()
