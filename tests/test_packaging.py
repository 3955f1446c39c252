"""The package as a user meets it: the tested code is this tree's, its imports are declared,
and it imports on Windows (no Unix-only module on any import path)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import docgen

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "docgen"
UNIX_ONLY = ("resource", "fcntl", "termios", "pwd", "grp")


def test_the_imported_docgen_is_this_working_tree():
    # An earlier `pip install .` left a copy in site-packages; the tests must not test that one.
    assert Path(docgen.__file__).resolve().parent == PACKAGE, (
        f"tests import docgen from {docgen.__file__}, not from {PACKAGE}: "
        "install with `pip install -e '.[test]'`")


def _top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party_imports() -> dict[str, list[str]]:
    """Top-level module name -> the docgen files importing it, stdlib and docgen left out."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _top_level_imports(path):
            if name in sys.stdlib_module_names or name in ("docgen", "__future__"):
                continue
            found.setdefault(name, []).append(str(path.relative_to(REPO)))
    return found


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normalise(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0])
            for spec in project["dependencies"]}


def test_every_third_party_import_is_a_declared_dependency():
    imports = _third_party_imports()
    assert {"lxml", "jinja2", "weasyprint"} <= set(imports), "the import scan found nothing"
    distributions = metadata.packages_distributions()
    declared = _declared()
    undeclared = {}
    for module, files in imports.items():
        owners = {_normalise(dist) for dist in distributions.get(module, [])}
        assert owners, f"{module} (imported by {files[0]}) belongs to no installed distribution"
        if not owners & declared:
            undeclared[module] = (sorted(owners), files)
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"


def test_every_docgen_module_imports_without_unix_only_modules():
    """Windows has no resource, fcntl, termios, pwd or grp: none may be imported at module level."""
    script = (
        "import importlib, pkgutil, sys\n"
        f"for name in {UNIX_ONLY!r}:\n"
        "    sys.modules[name] = None   # import raises ImportError, as on Windows\n"
        "import docgen\n"
        "failed = []\n"
        "modules = [info.name for info in pkgutil.walk_packages(docgen.__path__, 'docgen.')\n"
        "           if not info.name.endswith('__main__')]   # __main__ runs the CLI\n"
        "for name in modules:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as exc:\n"
        "        failed.append(f'{name}: {exc}')\n"
        "print(len(modules))\n"
        "assert not failed, failed\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) > 40, "too few modules walked: the check proves nothing"
