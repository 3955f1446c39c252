"""The Azure AD Connect section arranged for templates: setup choices, OU trees, rule groups."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from docgen.areas.aadconnect.config import GROUP_FILTER_PARAMETER
from docgen.checks.model import worst_by_key

# Setup choices as the wizard asks them: bundle name, label, changeable after setup.
SETUP_ROWS = (
    ("source_anchor", "Source anchor", False),
    ("upn_attribute", "User principal name (sign-in) attribute", False),
    ("join_criteria", "How users are identified across directories (join criteria)", False),
    ("group_filtering", "Synchronise only members of a group (group filtering)", True),
    ("staging_mode", "Staging mode", True),
    ("password_hash_sync", "Password hash synchronisation", True),
    ("password_writeback", "Password writeback", True),
    ("hybrid_exchange", "Exchange hybrid deployment", True),
    ("device_writeback", "Device writeback", True),
    ("export_deletion_threshold", "Prevent accidental deletes (export deletion threshold)", True),
    ("auto_upgrade", "Automatic upgrade", True),
    ("sync_interval", "Synchronisation interval", True),
)
DIRECTION_ORDER = {"inbound": 0, "outbound": 1}
UNKNOWN_CONNECTOR = "unknown"


def aadconnect_view(section: dict, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    return {"servers": [_server_view(server, worst) for server in section["items"]]}


def _server_view(server: dict, worst: dict[str, str]) -> dict:
    rules = [_rule_view(rule, worst) for rule in server["sync_rules"]]
    return {
        "key": server["key"],
        "server": server["server"],
        "export_date": server["export_date"],
        "configuration_version": server["configuration_version"],
        "collector": server["collector"],
        "worst": worst.get(server["key"]),
        "setup_rows": _setup_rows(server["setup_choices"]),
        "group_filtering": server["group_filtering"],
        "connectors": [_connector_view(connector, worst) for connector in server["connectors"]],
        "rule_groups": _rule_groups(rules),
        "rule_counts": {
            "total": len(rules),
            "custom": sum(not rule["is_default"] for rule in rules),
            "default": sum(rule["is_default"] for rule in rules),
            "disabled": sum(rule["disabled"] for rule in rules),
        },
        "global_settings": server["global_settings"],
        "scheduler": server["scheduler"],
        "source": server["source"],
    }


def _setup_rows(choices: dict) -> list[dict]:
    rows = []
    for name, label, changeable in SETUP_ROWS:
        choice = choices[name]
        value = _choice_text(choice["value"])
        if name == "export_deletion_threshold" and choice["value"]:
            objects = choices["export_deletion_threshold_value"]["value"]
            value += f" ({objects} objects)" if objects is not None else ""
        rows.append({"name": name, "label": label, "value": value, "from": choice["from"],
                     "changeable": changeable})
    return rows


def _choice_text(value) -> str:
    if value is None:
        return "not in this export"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value) if value != "" else "(empty)"


def _connector_view(connector: dict, worst: dict[str, str]) -> dict:
    return {
        **connector,
        "worst": worst.get(connector["key"]),
        # Constants (intrinsic) are noise; the pilot group DN has its own row.
        "configurable_parameters": [p for p in connector["global_parameters"]
                                    if not p.get("intrinsic")
                                    and p["name"] != GROUP_FILTER_PARAMETER],
        "partitions": [{**partition, "tree": ou_tree(partition["inclusions"],
                                                     partition["exclusions"])}
                       for partition in connector["partitions"]],
        "run_profiles": [{**profile, "steps_text": [_step_text(step) for step in profile["steps"]]}
                         for profile in connector["run_profiles"]],
    }


def _step_text(step: dict) -> str:
    kind = step["type"] or "step"
    if step["subtype"]:
        kind += f" ({step['subtype']})"
    partition = step["partition_name"] or step["partition_id"]
    return f"{kind} on {partition}" if partition else kind


def split_dn(dn: str) -> list[str]:
    """RDNs of a DN, honouring backslash escapes ('OU=a\\,b,DC=x' has two)."""
    parts, current, escaped = [], [], False
    for char in dn:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == ",":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def ou_tree(inclusions: list[str], exclusions: list[str]) -> list[dict]:
    """Included and excluded containers as a tree: each under its nearest listed ancestor.

    The sync engine applies the most specific entry, so the tree reads top-down:
    an excluded domain root with an included OU below it syncs that OU only.
    """
    states = {dn: "included" for dn in inclusions}
    states.update({dn: "excluded" for dn in exclusions})
    keyed = {tuple(rdn.lower() for rdn in split_dn(dn)): dn for dn in states}
    nodes: dict[tuple[str, ...], dict] = {
        path: {"dn": dn, "state": states[dn], "label": dn, "children": []} for path, dn in keyed.items()}
    roots = []
    for path in sorted(nodes, key=lambda p: (len(p), p)):
        parent = next((path[cut:] for cut in range(1, len(path)) if path[cut:] in nodes), None)
        node = nodes[path]
        if parent is None:
            roots.append(node)
            continue
        node["label"] = ",".join(split_dn(node["dn"])[:len(path) - len(parent)])
        nodes[parent]["children"].append(node)
    _sort_tree(roots)
    return roots


def _sort_tree(nodes: list[dict]) -> None:
    nodes.sort(key=lambda node: node["label"].lower())
    for node in nodes:
        _sort_tree(node["children"])


def _rule_view(rule: dict, worst: dict[str, str]) -> dict:
    return {
        **rule,
        "anchor": f"aad-rule-{rule['key']}",
        "worst": worst.get(rule["key"]),
        "scope_groups": [[f"{c['attribute']} {c['operator']} {c['value']}".strip()
                          for c in group] for group in rule["scoping_filter"]],
        "join_groups": [[f"{c['cs_attribute']} = {c['mv_attribute']}"
                         + (" (case-sensitive)" if c["case_sensitive"] else "")
                         for c in group] for group in rule["join_rules"]],
        "flow_rows": [{**flow, "source_text": _flow_source(flow)} for flow in rule["flows"]],
    }


def _flow_source(flow: dict) -> str:
    if flow["type"] == "expression":
        return flow["expression"] or ""
    if flow["type"] == "constant":
        return f'"{flow["constant"] or ""}"'
    return ", ".join(flow["sources"])


def _rule_groups(rules: list[dict]) -> list[dict]:
    """Rules by connector and direction, each group in precedence order."""
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for rule in rules:
        grouped[(rule["connector_id"] or UNKNOWN_CONNECTOR, rule["connector_name"],
                 rule["direction"] or "")].append(rule)
    groups = []
    for (connector_key, connector_name, direction), members in grouped.items():
        members.sort(key=lambda r: (r["precedence"] if r["precedence"] is not None else 1 << 31,
                                    r["name"].lower()))
        groups.append({
            "connector_key": connector_key,
            "connector_name": connector_name or f"Unknown connector {connector_key}",
            "known": connector_name is not None,
            "direction": direction or "unknown direction",
            "anchor": f"aad-rules-{connector_key}-{(direction or 'unknown').lower()}",
            "rules": members,
            "custom": [rule for rule in members if not rule["is_default"]],
            "default": [rule for rule in members if rule["is_default"]],
        })
    groups.sort(key=lambda g: (not g["known"], g["connector_name"].lower(),
                               DIRECTION_ORDER.get(g["direction"].lower(), 2), g["direction"]))
    return groups
