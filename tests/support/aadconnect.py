"""The real Azure AD Connect export, and mutated copies of it, for the aadconnect tests.

The export is the copy in docgen/samples/aadconnect/ (MIT, licence beside it), which the demo
reads too. A missing export fails the tests that need it: it is never a reason to skip.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path
from typing import Callable

from lxml import etree

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "docgen" / "samples" / "aadconnect" / "contoso-2016"
SAMPLE_JSON = REPO / "docgen" / "samples" / "aadconnect" / "contoso-aadconnect.json"

AD_ID = "ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d"
AAD_ID = "b891884f-051e-4a83-95af-2544101c9083"
AD_FILE = f"Connectors/Connector_{{{AD_ID}}}.xml"
AAD_FILE = f"Connectors/Connector_{{{AAD_ID}}}.xml"
MV_FILE = "GlobalSettings/MV.xml"
USER_COMMON_ID = "c93c2c84-f29f-4d43-bc3b-fa439a2fb1c1"    # In from AD - User Common, 106
USER_JOIN_ID = "0b088913-b613-4d9d-9563-9988b7719ed6"      # In from AD - User Join, 100
AAD_USER_JOIN_ID = "6f1bc185-65f9-4175-a31e-70fc975f464a"  # Out to AAD - User Join, 123
COMPUTER_JOIN_ID = "d79c6b03-a3d5-4160-8b12-87eff97ab7be"  # In from AD - Computer Join, 159


def rule_file(rule_id: str) -> str:
    return f"SynchronizationRules/SynchronizationRule_{{{rule_id}}}.xml"


def corpus() -> Path:
    assert (CORPUS / MV_FILE).is_file(), (
        f"the Azure AD Connect corpus is missing at {CORPUS}; it belongs to the repository")
    return CORPUS


def copy_corpus(target: Path) -> Path:
    """A writable copy of the export (the corpus files are read-only)."""
    folder = target / "contoso-2016"
    shutil.copytree(corpus(), folder)
    for path in folder.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return folder


def edit_xml(path: Path, change: Callable[[etree._Element], None]) -> None:
    """Parse a trusted copy, change it, write it back as the export writes it (UTF-8, no declaration)."""
    root = etree.fromstring(path.read_bytes())
    change(root)
    path.write_bytes(etree.tostring(root, encoding="utf-8"))


def set_global_setting(folder: Path, name: str, value: str) -> None:
    def change(root):
        parameter = root.find(f"mv-data/parameter-values/parameter[@name='{name}']")
        parameter.text = value
    edit_xml(folder / MV_FILE, change)


def set_group_filtering_dn(folder: Path, dn: str) -> None:
    def change(root):
        parameter = root.find("private-configuration/adma-configuration/parameter-values/"
                              "parameter[@name='Connector.GroupFilteringGroupDn']")
        parameter.text = dn
    edit_xml(folder / AD_FILE, change)


def add_ou_exclusion(folder: Path, dn: str) -> None:
    def change(root):
        exclusions = root.find("ma-partition-data/partition/filter/containers/exclusions")
        etree.SubElement(exclusions, "exclusion").text = dn
    edit_xml(folder / AD_FILE, change)


def set_rule_fields(folder: Path, rule_id: str, **fields: str) -> None:
    """Set <name>, <precedence>, <disabled>, <immutable-tag>, <connector>, ... of one rule."""
    def change(root):
        for tag, value in fields.items():
            root.find(tag.replace("_", "-") if tag == "immutable_tag" else tag).text = value
    edit_xml(folder / rule_file(rule_id), change)


def set_flow_expression(folder: Path, rule_id: str, destination: str, old: str, new: str) -> None:
    """Replace `old` by `new` in the expression of one rule's flow to `destination`."""
    def change(root):
        (mapping,) = [m for m in root.iterfind("attribute-mappings/mapping") if m.findtext("dest") == destination]
        expression = mapping.find("expression")
        assert old in expression.text, f"{old!r} is not in the expression"
        expression.text = expression.text.replace(old, new)
    edit_xml(folder / rule_file(rule_id), change)


def add_custom_rule(folder: Path, copy_of: str, new_id: str, **fields: str) -> None:
    """A custom rule made the way admins do it: a copy of a default rule, untagged."""
    source = folder / rule_file(copy_of)
    target = folder / rule_file(new_id)
    shutil.copyfile(source, target)
    set_rule_fields(folder, new_id, id="{" + new_id + "}", immutable_tag="", **fields)
