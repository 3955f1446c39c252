"""Property-based tests of the bundle loader and the diff.

Loader: a mutated bundle is either valid or a BundleError listing problems with key
paths, and the fast validator agrees with jsonschema. Diff: diff(a, a) is empty, and
diff(a, b) mirrors diff(b, a) (added <-> removed, old <-> new).
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXCHANGE_SAMPLES
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.bundle.migrations import migrate
from docgen.bundle.schema import _validator, schema_errors
from docgen.core.errors import BundleError
from docgen.diff import diff_bundles

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def base() -> dict:
    result = import_exchange_certs([EXCHANGE_SAMPLES / "contoso-exchange-certs.json"])
    return put_section(new_bundle("Contoso", "2026-11-02T09:30:00Z"), result,
                       run_id="00000000-0000-4000-8000-000000000001")


def paths(value, prefix=()):
    """Every (path) inside a JSON value, containers included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def get(value, path):
    for part in path:
        value = value[part]
    return value


replacements = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=6) | \
    st.just([]) | st.just({}) | st.just("2026-13-40T99:00:00Z")


@SETTINGS
@given(data=st.data())
def test_mutated_bundles_are_valid_or_every_problem_is_named(base, data):
    mutated = copy.deepcopy(base)
    all_paths = [p for p in paths(mutated) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(all_paths))
        action = data.draw(st.sampled_from(["replace", "delete"]))
        replacement = data.draw(replacements)
        try:
            parent = get(mutated, path[:-1])
            if action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    raw = dump_bundle(mutated)
    try:
        loaded = parse_bundle(raw, "b.json")
    except BundleError as error:
        assert str(error).startswith("b.json: ")
        for problem in error.problems:
            assert ": " in problem  # "key.path: message"
    else:
        # a mutation may leave a valid bundle of an older schema (schema_version 1): loaded,
        # it is migrated to the current one
        assert loaded.data == migrate(copy.deepcopy(mutated))
    # the compiled fast path and jsonschema agree on valid / invalid
    assert (schema_errors(mutated) == []) == (list(_validator().iter_errors(mutated)) == [])


@SETTINGS
@given(data=st.binary(max_size=200))
def test_any_bytes_load_or_fail_with_a_bundle_error(data):
    try:
        parse_bundle(data, "b.json")
    except BundleError as error:
        assert str(error).startswith("b.json")


def variant(base: dict, draw) -> dict:
    """A valid bundle near `base`: servers removed, renamed (new identity) or changed."""
    changed = copy.deepcopy(base)
    items = changed["sections"]["exchange_certificates"]["items"]
    for index in sorted(draw(st.sets(st.integers(0, len(items) - 1), max_size=3)), reverse=True):
        action = draw(st.sampled_from(["remove", "rename", "roles", "fqdn"]))
        if action == "remove":
            del items[index]
        elif action == "rename":
            items[index]["name"] = items[index]["name"] + "X"
            items[index]["key"] = items[index]["name"].lower()
        elif action == "roles":
            items[index]["roles"] = draw(st.lists(st.sampled_from(["Mailbox", "Edge", "ClientAccess"]),
                                                  max_size=2))
        else:
            items[index]["fqdn"] = draw(st.none() | st.text(min_size=1, max_size=8))
    return changed


def kinds(document) -> list[tuple[str, str]]:
    return sorted((c["kind"], c["key"]) for s in document["sections"] for c in s["changes"])


@SETTINGS
@given(data=st.data())
def test_diff_of_a_bundle_with_itself_is_empty(base, data):
    bundle = variant(base, data.draw)
    loaded = parse_bundle(dump_bundle(bundle), "a.json")
    document = diff_bundles(loaded, loaded)
    assert document["result"] == "no changes"
    assert kinds(document) == [] and document["volatile"] == []


MIRROR = {"added": "removed", "removed": "added", "modified": "modified", "replaced": "replaced",
          "unknown": "unknown"}


@SETTINGS
@given(data=st.data())
def test_diff_mirrors_when_swapped(base, data):
    a = parse_bundle(dump_bundle(variant(base, data.draw)), "a.json")
    b = parse_bundle(dump_bundle(variant(base, data.draw)), "b.json")
    forward, backward = diff_bundles(a, b), diff_bundles(b, a)
    assert kinds(backward) == sorted((MIRROR[kind], key) for kind, key in kinds(forward))
    fields_forward = {(c["key"], f["path"]): (f["old"], f["new"])
                      for s in forward["sections"] for c in s["changes"] for f in c["fields"]}
    fields_backward = {(c["key"], f["path"]): (f["new"], f["old"])
                       for s in backward["sections"] for c in s["changes"] for f in c["fields"]}
    assert fields_forward == fields_backward
    assert forward["result"] == backward["result"]
    json.dumps(forward)  # plain JSON all the way down
