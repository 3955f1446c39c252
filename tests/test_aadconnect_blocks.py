"""Reusing a sync rule's block facts between files (docgen/areas/aadconnect/blocks.py).

Every reused result is compared with the same file read from its elements alone
(parse_sync_rule without blocks): on the real export, on copies of its rules as a
multi-forest export holds them, and on mutated copies that must not be reused.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from docgen.areas.aadconnect.blocks import SharedBlocks, reusable_tail
from docgen.areas.aadconnect.config import parse_sync_rule
from docgen.areas.aadconnect.source import import_aadconnect
from docgen.core.errors import InputError
from docgen.readers.xml import XmlReader, parse_xml
from support.aadconnect import USER_COMMON_ID, USER_JOIN_ID, copy_corpus, corpus, rule_file

READER = XmlReader(blank_text=False)  # as the import reads rule files


def rule_files() -> list[Path]:
    return sorted((corpus() / "SynchronizationRules").glob("*.xml"))


def read_alone(data: bytes, name: str = "rule.xml"):
    """The rule read from its elements only: the reference every reuse must equal."""
    return parse_sync_rule(READER.parse(data, name), name, None)


def read_shared(data: bytes, shared: SharedBlocks, name: str = "rule.xml"):
    return parse_sync_rule(READER.parse(data, name), name, None, shared.of_file(data))


def blocks_of(parsed) -> tuple:
    facts = parsed.facts
    return facts["scoping_filter"], facts["join_rules"], facts["flows"]


def sample_rule(rule_id: str = USER_COMMON_ID) -> bytes:
    return (corpus() / rule_file(rule_id)).read_bytes()


def renamed(data: bytes, number: int) -> bytes:
    """The rule with a new id and name: what a second forest's copy of a default rule differs in."""
    new_id = str(uuid.UUID(int=number, version=4)).encode()
    data = re.sub(rb"<id>\{[^}]+\}</id>", b"<id>{" + new_id + b"}</id>", data, count=1)
    return re.sub(rb"<name>([^<]*)</name>", rb"<name>\1 (forest %d)</name>" % number, data, count=1)


def test_every_real_rule_file_is_plain_and_its_copies_reuse_facts_equal_to_reading_them():
    shared = SharedBlocks()
    for path in rule_files():
        data = path.read_bytes()
        assert reusable_tail(data) is not None, path.name  # the real shape takes the fast path
        first = read_shared(data, shared)
        copy = renamed(data, 7)
        again = read_shared(copy, shared)
        assert blocks_of(again) == blocks_of(read_alone(copy))
        assert blocks_of(first) == blocks_of(read_alone(data))
        # reused, not read again: the very lists the first file gave
        assert again.facts["flows"] is first.facts["flows"]
        assert again.facts["name"] != first.facts["name"]


def test_a_rule_read_through_shared_blocks_equals_it_read_alone_whole():
    shared = SharedBlocks()
    for path in rule_files():
        data = path.read_bytes()
        for copy in (data, renamed(data, 3)):
            through, alone = read_shared(copy, shared, path.name), read_alone(copy, path.name)
            assert through.facts == alone.facts
            assert through.problems == alone.problems == []  # the real export has none


def _drop_first_merge_type(data: bytes) -> bytes:
    return re.sub(rb"\s*<valueMergeType>[^<]*</valueMergeType>", b"", data, count=1)


MUTATIONS = {
    "a mapping missing a child": _drop_first_merge_type,
    "extra whitespace": lambda data: data.replace(b"<dest>", b"<dest>  \n ", 1),
    "CDATA in a block": lambda data: re.sub(rb"<dest>([^<]*)</dest>", rb"<dest><![CDATA[\1]]></dest>",
                                            data, count=1),
    "entities in a block": lambda data: re.sub(rb"<dest>(\w)", rb"<dest>&#x41;&amp;\1", data, count=1),
    "a comment in a block": lambda data: data.replace(b"<mapping>", b"<mapping><!-- x -->", 1),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_mutated_block_is_read_as_it_is_not_taken_from_the_unmutated_rule(mutation):
    original = sample_rule()
    mutated = MUTATIONS[mutation](renamed(original, 5))
    assert mutated != renamed(original, 5)
    shared = SharedBlocks()
    read_shared(original, shared)
    assert blocks_of(read_shared(mutated, shared)) == blocks_of(read_alone(mutated))


def test_a_mapping_missing_a_child_gives_other_flows_than_the_rule_it_was_copied_from():
    original = sample_rule()
    shared = SharedBlocks()
    before = read_shared(original, shared).facts["flows"]
    after = read_shared(_drop_first_merge_type(renamed(original, 9)), shared).facts["flows"]
    assert [flow["merge_type"] for flow in after][0] is None
    assert [flow["merge_type"] for flow in before][0] == "Update"


HEADS = {
    # each puts something before the blocks that changes what the same tail means
    "a namespace declaration": lambda data: data.replace(b"<synchronizationRule>",
                                                         b'<synchronizationRule xmlns:a="urn:x">', 1),
    "a comment holding a block's tag": lambda data: data.replace(
        b"<name>", b"<!-- <attribute-mappings/> --><name>", 1),
    "an XML declaration": lambda data: b'<?xml version="1.0" encoding="utf-8"?>\n' + data,
    "a processing instruction": lambda data: data.replace(b"<name>", b"<?pi x?><name>", 1),
    "a UTF-8 BOM": lambda data: b"\xef\xbb\xbf" + data,
}


@pytest.mark.parametrize("head", HEADS)
def test_a_file_whose_head_could_change_its_tail_is_read_from_its_elements(head):
    original = sample_rule()
    changed = HEADS[head](renamed(original, 11))
    assert reusable_tail(changed) is None
    shared = SharedBlocks()
    read_shared(original, shared)
    assert read_shared(changed, shared).facts == read_alone(changed).facts


def _bad_case_sensitive(data: bytes) -> bytes:
    """The first join condition flagged case sensitive with a word that is not a boolean."""
    assert b"</ilmAttribute>" in data, "the rule has a join condition"
    return data.replace(b"</ilmAttribute>", b"</ilmAttribute><caseSensitive>maybe</caseSensitive>", 1)


def said(problems: list[InputError]) -> list[tuple[str, str]]:
    return [(str(problem), problem.where) for problem in problems]


def test_problems_in_a_block_name_each_file_s_own_line():
    """Facts that met a problem are not kept: the next file's problem is on another line."""
    first = _bad_case_sensitive(sample_rule(USER_JOIN_ID))
    second = renamed(first, 13).replace(b"<name>", b"\n\n\n<name>", 1)  # same tail, three lines lower
    assert reusable_tail(first) == reusable_tail(second)
    shared = SharedBlocks()
    problems = [said(read_shared(data, shared).problems) for data in (first, second)]
    assert problems == [said(read_alone(first).problems), said(read_alone(second).problems)]
    lines = [where for [(_, where)] in problems]
    assert lines[0] != lines[1] and all(line.startswith("line ") for line in lines)


def multiply(folder: Path, copies: int) -> list[tuple[Path, Path]]:
    """Each rule file copied with a new id and name, as another forest's default rule is;
    returns (copy, original) pairs."""
    pairs = []
    rules = folder / "SynchronizationRules"
    for number, path in enumerate(sorted(rules.glob("*.xml"))):
        for copy in range(copies):
            data = renamed(path.read_bytes(), 1000 + number * copies + copy)
            new_id = re.search(rb"<id>\{([^}]+)\}</id>", data).group(1).decode()
            target = rules / f"SynchronizationRule_{{{new_id}}}.xml"
            target.write_bytes(data)
            pairs.append((target, path))
    return pairs


def test_an_import_of_a_multiplied_export_gives_each_rule_the_blocks_its_file_holds(tmp_path):
    folder = copy_corpus(tmp_path)
    pairs = multiply(folder, 2)
    result = import_aadconnect(folder)
    rules = {rule["source"]["file"]: rule for rule in result.items[0]["sync_rules"]}
    assert len(rules) == 3 * len(rule_files())
    for copy, original in pairs:
        name = f"SynchronizationRules/{copy.name}"
        alone = read_alone(copy.read_bytes(), name).facts
        assert blocks_of_rule(rules[name]) == blocks_of_rule(alone)
        assert blocks_of_rule(rules[name]) == blocks_of_rule(rules[f"SynchronizationRules/{original.name}"])


def blocks_of_rule(rule: dict) -> tuple:
    return rule["scoping_filter"], rule["join_rules"], rule["flows"]


def test_an_import_reads_a_mutated_copy_as_it_is(tmp_path):
    folder = copy_corpus(tmp_path)
    original = folder / rule_file(USER_COMMON_ID)
    copy = folder / "SynchronizationRules" / "SynchronizationRule_{00000000-0000-4000-8000-000000000001}.xml"
    copy.write_bytes(_drop_first_merge_type(renamed(original.read_bytes(), 1)))
    rules = {rule["source"]["file"]: rule for rule in import_aadconnect(folder).items[0]["sync_rules"]}
    imported = rules[f"SynchronizationRules/{copy.name}"]
    assert imported["flows"] == read_alone(copy.read_bytes()).facts["flows"]
    assert imported["flows"] != rules[f"SynchronizationRules/{original.name}"]["flows"]


@pytest.mark.parametrize("document", [
    b"<r/><!DOCTYPE r>",
    b"<r><!DOCTYPE r [<!ENTITY e 'x'>]>&e;</r>",
])
def test_a_doctype_after_the_root_start_is_still_refused(document):
    """The prolog pass is skipped for files starting with their root; a DOCTYPE later is an error."""
    with pytest.raises(InputError):
        parse_xml(document, "x.xml")
