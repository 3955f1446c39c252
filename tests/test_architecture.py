"""The layout shows the flow, and the arrows run one way (README: Architecture).

Every `import` in docgen/ is read with ast (lazy ones inside functions too) and held
to the layer rules below; nothing below app/ prints or exits.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "docgen"

# layer -> the layers its modules may import (a layer may always import itself)
ENGINES = {"checks", "diff", "render"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "readers": {"core"},
    "bundle": {"core", "readers"},
    "dns": {"core", "readers", "bundle", "areas"},
    # an area: formats, lookups, the bundle, and the engines' declaration types (below)
    "areas": {"core", "readers", "dns", "bundle", "areas"},
    "checks": {"core", "bundle", "areas", "checks"},
    "diff": {"core", "bundle", "areas", "checks", "diff"},
    "render": {"core", "bundle", "areas", "checks", "diff", "render"},
    "project": {"core", "bundle", "areas", "checks", "render", "dns"},
    "app": {"core", "readers", "dns", "bundle", "areas", "checks", "diff", "render", "project", "app"},
    "cli": {"core", "app", "project", "render", "bundle", "dns", "areas"},
    "__init__": set(),
    "__main__": {"cli"},
}
# what an area may use of the engines: the types it declares itself with
AREA_MAY_USE = {"docgen.checks.model", "docgen.diff.spec", "docgen.render.tables",
                "docgen.render.charts"}
# engines reach areas through the registry only
REGISTRY = {"docgen.areas", "docgen.areas.area"}
# facts read the same way by more than one area: modules of no area, which import no area
SHARED_BY_AREAS = {"docgen.areas.native_mail"}


def _shown(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent)) if path.is_relative_to(PACKAGE.parent) else path.name


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "docgen":
                found += [(node.lineno, f"docgen.{alias.name}") for alias in node.names
                          if alias.name != "__version__"]
            else:
                found += [(node.lineno, node.module)]
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                          if (PACKAGE.parent / node.module.replace(".", "/") / f"{alias.name}.py").is_file()]
    return [(line, name) for line, name in found if name == "docgen" or name.startswith("docgen.")]


def _modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "samples" in relative.parts:
            continue   # scripts that generate the sample files, run by hand
        name = ".".join(relative.parts).removesuffix(".__init__")
        modules.append((name, path))
    return modules


def _problems(module: str, path: Path) -> list[str]:
    layer = _layer(module)
    problems = []
    for line, target in _imports(path):
        where = f"{_shown(path)}:{line}: {module} imports {target}"
        if target == "docgen":
            continue
        target_layer = _layer(target)
        if target_layer == layer and layer != "areas":
            continue
        if layer == "areas" and target_layer in ENGINES:
            if not any(target == allowed or target.startswith(allowed + ".") for allowed in AREA_MAY_USE):
                problems.append(where + " (an area uses only the engines' declaration types)")
            continue
        if layer == "areas" and target_layer == "areas":
            own = module.split(".")[:3]
            if target in REGISTRY or target.split(".")[:3] == own or module in REGISTRY:
                continue
            if target in SHARED_BY_AREAS and module not in SHARED_BY_AREAS:
                continue
            problems.append(where + " (an area does not reach into another area)")
            continue
        if target_layer not in ALLOWED.get(layer, set()):
            problems.append(where + f" ({layer} may not import {target_layer})")
            continue
        if target_layer == "areas" and layer in ENGINES | {"project", "cli"} and target not in REGISTRY:
            problems.append(where + " (engines reach an area through the registry only)")
    return problems


def test_the_rules_see_every_module():
    names = [name for name, _ in _modules()]
    assert {"docgen.cli", "docgen.bundle.model", "docgen.areas", "docgen.checks"} <= set(names)
    assert all(_layer(name) in ALLOWED for name in names), sorted({_layer(n) for n in names} - set(ALLOWED))


@pytest.mark.parametrize("module, path", _modules(), ids=[name for name, _ in _modules()])
def test_arrows_run_one_way(module, path):
    assert _problems(module, path) == []


def test_a_wrong_arrow_is_caught(tmp_path):
    bad = tmp_path / "model.py"
    bad.write_text("from docgen.render.documents import render_documents\nimport docgen.areas.dkim.source\n")
    assert len(_problems("docgen.bundle.model", bad)) == 2
    engine = tmp_path / "engine.py"
    engine.write_text("from docgen.areas.dkim.checks import check_dkim\nfrom docgen.areas import AREAS\n")
    assert len(_problems("docgen.checks.engine", engine)) == 1
    shared = tmp_path / "shared.py"
    shared.write_text("from docgen.areas.native_mail import native_mail_blocked_on\n"
                      "from docgen.areas.conditional_access.coverage import everyone\n")
    # an area may read the shared facts module; that module may not reach into an area
    assert len(_problems("docgen.areas.mobile_access.cloud", shared)) == 1
    assert len(_problems("docgen.areas.native_mail", shared)) == 1


PRINTS = {"print", "exit", "quit"}


def _prints_or_exits(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                f"{func.value.id}.{func.attr}" if isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name) else "")
            if name in PRINTS or name in {"sys.exit", "click.echo", "click.secho", "os._exit"}:
                found.append(f"{_shown(path)}:{node.lineno}: {name}()")
    return found


def test_nothing_below_app_prints_or_exits():
    below = [path for name, path in _modules() if _layer(name) not in ("app", "cli", "__main__")]
    assert len(below) > 30
    assert [problem for path in below for problem in _prints_or_exits(path)] == []


@pytest.mark.slow   # runs mypy
def test_mypy_sees_a_misspelt_bundle_key(tmp_path):
    from mypy import api

    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from docgen.areas.exchange_certificates.facts import ExchangeSection\n"
        "def f(section: ExchangeSection) -> str:\n"
        "    return section['items'][0]['default_smtp_certificate']['thumbprint_sha']\n")
    stdout, _, status = api.run([str(snippet), "--no-incremental", "--follow-imports=silent"])
    assert status == 1
    assert 'has no key "thumbprint_sha"' in stdout
