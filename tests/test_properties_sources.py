"""Property-based tests of the DKIM key-record parser and the Azure AD Connect importer.

DKIM records come from strangers' DNS: any text gives facts (valid, or invalid with a
reason), never an exception. AAD Connect files come from customers: any mutation of a
real export gives facts or docgen's own InputError naming the file, never another error.
"""

from __future__ import annotations

import base64
import shutil
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.areas.aadconnect.source import import_aadconnect
from docgen.areas.dkim.record import parse_dkim_record
from docgen.core.errors import InputError
from support.aadconnect import USER_JOIN_ID, corpus, rule_file

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@lru_cache(maxsize=None)
def public_key(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    return base64.b64encode(key.public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


@SETTINGS
@given(text=st.text(max_size=300))
def test_any_text_is_facts_never_an_exception(text):
    facts = parse_dkim_record(text)
    assert facts["valid"] is (facts["error"] is None)
    assert facts["valid"] or facts["error"]


extra_tags = st.lists(st.tuples(st.sampled_from(["h", "s", "n", "x-custom"]),
                                st.sampled_from(["sha256", "email", "*", "note", "a:b"])),
                      max_size=3, unique_by=lambda tag: tag[0])


@SETTINGS
@given(bits=st.sampled_from([1024, 2048]), extras=extra_tags, testing=st.booleans(),
       spacing=st.sampled_from(["; ", ";", " ; ", ";\t"]), fold=st.integers(20, 200), data=st.data())
def test_valid_records_in_any_layout_give_the_key_size(bits, extras, testing, spacing, fold, data):
    key = public_key(bits)
    # TXT strings are joined without spaces, but a record may carry white space inside p=
    folded = " ".join(key[i:i + fold] for i in range(0, len(key), fold))
    tags = [("v", "DKIM1"), ("k", "rsa"), ("p", folded), *extras]
    if testing:
        tags.append(("t", "y"))
    order = data.draw(st.permutations(tags[1:]))
    record = spacing.join(f"{name}={value}" for name, value in [tags[0], *order])
    facts = parse_dkim_record(record)
    assert facts["valid"], facts["error"]
    assert (facts["key_size"], facts["testing"], facts["revoked"]) == (bits, testing, False)


@SETTINGS
@given(position=st.integers(0, 400), replacement=st.text(max_size=5))
def test_mutated_records_are_facts(position, replacement):
    record = f"v=DKIM1; k=rsa; p={public_key(1024)}"
    mutated = record[:position] + replacement + record[position + len(replacement):]
    facts = parse_dkim_record(mutated)
    assert facts["valid"] or facts["error"]


def test_empty_p_is_revoked_not_invalid():
    facts = parse_dkim_record("v=DKIM1; k=rsa; p=")
    assert (facts["valid"], facts["revoked"], facts["key_size"]) == (True, True, None)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(start=st.floats(0, 1), length=st.integers(1, 60), replacement=st.binary(max_size=60),
       target=st.sampled_from(["rule", "mv"]))
def test_mutated_exports_give_facts_or_named_errors(tmp_path_factory, start, length, replacement, target):
    folder = tmp_path_factory.mktemp("export") / "contoso-2016"
    shutil.copytree(corpus(), folder)
    path = folder / (rule_file(USER_JOIN_ID) if target == "rule" else "GlobalSettings/MV.xml")
    path.chmod(0o644)
    data = path.read_bytes()
    cut = int(start * len(data))
    path.write_bytes(data[:cut] + replacement + data[cut + length:])
    try:
        result = import_aadconnect(folder)
    except InputError as error:
        assert error.source and str(error).startswith(error.source)
    else:
        assert result.items or result.errors  # never an empty success
        for error in result.errors:
            assert error.source
