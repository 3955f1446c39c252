"""Where the demo PDF's time goes inside WeasyPrint: a cProfile of one whole render, by phase.

    python bench/pdf_profile.py [--bundle B.json] [--top 25] [--save FILE.prof]

Renders the demo's report PDF (or the report of --bundle) in this process the way
`docgen render` does (the same print HTML, fonts, URL fetcher and PDF/A options),
under cProfile, and prints:

  1. the seconds of each phase (HTML parsing, CSS cascade and selector matching,
     layout, of which auto table widths and line breaking, drawing, fonts, PDF
     writing), cumulative as cProfile counts them (so with its overhead);
  2. the line-breaking calls (WeasyPrint's split_first_line, one Pango layout each)
     grouped by what decides their number: min-content or layout, and the text's
     word-break and overflow-wrap;
  3. the --top functions by cumulative time.

It changes nothing: it is the evidence for what to speed up.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# (label, module path fragment, function name): cumulative seconds of each
PHASES = (
    ("HTML parsing (tinyhtml5)", "tinyhtml5/parser.py", "parse"),
    ("CSS cascade (computed styles)", "weasyprint/css/__init__.py", "get_all_computed_styles"),
    ("  of which selector matching (cssselect2)", "cssselect2/__init__.py", "match"),
    ("layout (all pages)", "weasyprint/layout/__init__.py", "layout_document"),
    ("  of which auto table widths (min/max-content)", "weasyprint/layout/preferred.py",
     "table_and_columns_preferred_widths"),
    ("  line breaking (Pango, layout and widths)", "weasyprint/text/line_break.py", "split_first_line"),
    ("drawing pages", "weasyprint/draw/__init__.py", "draw_page"),
    ("font subsetting", "weasyprint/pdf/fonts.py", "subset"),
    ("PDF writing (all of write_pdf)", "weasyprint/document.py", "write_pdf"),
)


def capture_html(bundle: Path, out: Path) -> tuple[str, dict]:
    """The print HTML and render_pdf's arguments, as `docgen render --format pdf` makes them."""
    import docgen.cli  # noqa: F401  the command's import order
    import docgen.render.documents as documents
    from docgen.app.outputs import write_documents
    from docgen.bundle import load_bundle
    from docgen.render.context import DocumentOptions

    captured: dict = {}

    def keep(html: str, **where) -> bytes:
        captured.update(html=html, where=where)
        return b"%PDF-"

    documents.render_pdf, original = keep, documents.render_pdf
    documents.plan_document, original_plan = (lambda html: None), documents.plan_document
    try:
        write_documents(load_bundle(bundle), out, documents.RenderRequest(
            formats=("pdf",), stem="profile", options=DocumentOptions(author="profile")))
    finally:
        documents.render_pdf, documents.plan_document = original, original_plan
    return captured["html"], captured["where"]


def count_line_breaking() -> tuple[collections.Counter, collections.Counter, dict]:
    """Wrap split_first_line where WeasyPrint calls it; count calls and seconds by kind."""
    import weasyprint.layout.inline as inline
    import weasyprint.layout.preferred as preferred
    import weasyprint.text.line_break as line_break

    calls: collections.Counter = collections.Counter()
    seconds: collections.Counter = collections.Counter()
    examples: dict = {}
    original = line_break.split_first_line

    def counted(text, style, context, max_width, *args, **kwargs):
        started = time.perf_counter()
        result = original(text, style, context, max_width, *args, **kwargs)
        kind = ("min-content" if max_width == 0 else "layout", style["word_break"],
                style["overflow_wrap"])
        calls[kind] += 1
        seconds[kind] += time.perf_counter() - started
        examples.setdefault(kind, text[:40])
        return result

    preferred.split_first_line = inline.split_first_line = counted
    return calls, seconds, examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="default: the demo's bundle")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", type=Path, help="write the raw profile here (for snakeviz, pstats)")
    args = parser.parse_args()
    from docgen.render.pdf import lay_out, pdf_session, write_pdf

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bundle = args.bundle
        if bundle is None:
            subprocess.run([sys.executable, "-m", "docgen", "demo", "-o", str(work / "demo"),
                            "--format", "html"], check=True, capture_output=True, cwd=REPO)
            bundle = work / "demo" / "contoso.bundle.json"
        html, where = capture_html(bundle, work / "out")
    calls, seconds, examples = count_line_breaking()
    profile = cProfile.Profile()
    with pdf_session(where["moment"], []):
        started, cpu = time.perf_counter(), time.process_time()
        profile.enable()
        document = lay_out(html, base_dir=where["base_dir"], allowed_roots=where["allowed_roots"])
        laid_out = time.perf_counter()
        write_pdf(document, where["attachments"], where["moment"])
        profile.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{len(document.pages)} pages; profiled: {wall:.1f} s wall ({laid_out - started:.1f} s "
          f"layout, {wall - (laid_out - started):.1f} s drawing and writing), {cpu:.1f} s CPU")
    stats = pstats.Stats(profile)
    if args.save:
        stats.dump_stats(str(args.save))
    print(f"\n{'phase (cumulative, profiled)':52} {'seconds':>8} {'share':>6}")
    for label, where_file, function in PHASES:
        total = max((entry[3] for (path, _, name), entry in stats.stats.items()  # type: ignore[attr-defined]
                     if name == function and path.endswith(where_file)), default=0.0)
        print(f"{label:52} {total:8.2f} {total / wall:6.0%}")
    print(f"\n{'line breaking calls (split_first_line)':60} {'calls':>7} {'seconds':>8}  example")
    for kind, spent in seconds.most_common():
        print(f"{' / '.join(kind):60} {calls[kind]:7d} {spent:8.2f}  {examples[kind]!r}")
    print()
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
