"""Each area's chapter in Word: what its HTML template (templates/sections/<area>.html.j2)
shows, from the same view.

The tables the report has as data (render/tables.py `report_tables`) are written from
those Table objects, with the report's column names; what the HTML shows apart from
tables (facts of one server, a rule's scoping filter, an OU tree) is written here. An
area with no layout here gets its tables and findings (`generic`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from docgen.render.docx.writer import SEVERITY_FILLS, Cell, Span, Writer, clean
from docgen.render.html import format_datetime, format_day
from docgen.render.tables import Table

# The tones of the mail-authentication overview's cells (templates/css/report.css), light
# enough to read black text on
TONE_FILLS = {"ok": "DCFCE7", "warn": "FEF3C7", "problem": "FEE2E2", "absent": "F1F3F5",
              "unverified": "E5E7EB"}


@dataclass
class SectionContext:
    """What a chapter may use besides its section: the whole report's context and tables."""

    report: dict
    tables: dict[str, Table]
    chart: Callable[[Any, str, str | None], None]     # (svg, alt text, caption) -> image in the document
    findings: Callable[[Writer, list[dict], bool], None]

    @property
    def page_group(self) -> int:
        return self.report["page_group"]


def table_of(writer: Writer, table: Table, *, where: tuple[str, Any] | None = None,
             drop: tuple[str, ...] = ()) -> None:
    """A report table as Word shows it: dates as days, the rows of one owner (`where`)."""
    columns = list(table.columns)
    rows = table.rows
    if where is not None:
        index = columns.index(where[0])
        rows = [row for row in rows if row[index] == where[1]]
    keep = [index for index, column in enumerate(columns) if column not in drop]
    dates = {position for position, index in enumerate(keep) if columns[index] in table.date_columns}
    writer.table([columns[index] for index in keep], [[row[index] for index in keep] for row in rows],
                 formats={position: format_day for position in dates})


def _lead(writer: Writer, parts: list) -> None:
    writer.paragraph([Span(part) if isinstance(part, str) else part for part in parts])


def _code(text: str) -> Span:
    return Span(text, mono=True)


def _badge(severity: str | None) -> list[Span]:
    if not severity:
        return []
    return [Span(" "), Span(f" {severity} ", bold=True, fill=SEVERITY_FILLS.get(severity))]


def _findings(writer: Writer, section: dict, ctx: SectionContext) -> None:
    if section["findings"]:
        writer.heading("Findings", 2)
        ctx.findings(writer, section["findings"], False)


# -- Exchange certificates -----------------------------------------------------------------


def exchange_certificates(writer: Writer, section: dict, ctx: SectionContext) -> None:
    _lead(writer, ["Each Exchange server stores the certificate it uses for internal mutual TLS in the ",
                   _code("msExchServerInternalTLSCert"), " attribute of its AD object. Exchange offers "
                   "this default SMTP certificate when no connector names another one. Every "
                   "certificate in a server's store is listed below with the services it is bound to "
                   "(IIS, SMTP, IMAP, POP, UM, ...); the default SMTP certificate is marked among them."])
    _findings(writer, section, ctx)
    view = section["view"]
    if not view:
        writer.muted("No Exchange servers were read.")
        return
    writer.heading("Overview", 2)
    if view.get("timeline"):
        ctx.chart(view["timeline"], "Default SMTP certificate validity by server",
                  "Validity of each server's default SMTP certificate")
    table_of(writer, ctx.tables["exchange-servers"])
    if view.get("certificates"):
        writer.heading("Certificates per server", 2)
        if view.get("store_timeline"):
            ctx.chart(view["store_timeline"], "Validity of every Exchange certificate by server",
                      "Validity of every certificate in the servers' stores")
        table_of(writer, ctx.tables["exchange-certificates"])
    if section["detail"] < 2:
        return
    writer.heading("Servers", 2)
    store = ctx.tables["exchange-store-certificates"]
    for server in view["servers"]:
        cert = server["default_smtp_certificate"]
        writer.heading(server["name"], 3)
        facts: list[tuple[str, Any]] = [
            ("Distinguished name", server["dn"]), ("FQDN", server["fqdn"]), ("Roles", server["roles"]),
            ("Version", server["version"]),
            ("Read from", f"{server['source']['file']} ({server['source']['where']})")]
        if cert["state"] == "present":
            facts += [
                ("Subject", cert["subject"]), ("Issuer", cert["issuer"]),
                ("Thumbprint (SHA-1)", Cell(cert["thumbprint_sha1"], mono=True)),
                ("SHA-256", Cell(cert["sha256"], mono=True)), ("Serial number", Cell(cert["serial"], mono=True)),
                ("Valid from", format_datetime(cert["not_before"])),
                ("Valid until", f"{format_datetime(cert['not_after'])} ({server['days_left']} days after "
                                "collection)"),
                ("Subject alternative names", cert["san_dns"]),
                ("Key", f"{cert['key_type']} {clean(cert['key_size'])} bits"),
                ("Signature hash", cert["signature_hash"]), ("Self-signed", cert["self_signed"])]
            if section["detail"] >= 3:
                facts.append(("Certificate (DER, base64)", Cell(cert["der_base64"], mono=True)))
        elif cert["state"] == "absent":
            facts.append(("Default SMTP certificate", "not set"))
        elif cert["state"] == "not_collected":
            facts.append(("Default SMTP certificate", "not in the export"))
        else:
            facts.append(("Default SMTP certificate", f"could not be read: {cert['error']}"))
        if server.get("web_host_names") is not None:
            facts.append(("Client host names", ", ".join(
                f"{entry['host']} ({entry['setting']})" for entry in server["web_host_names"])
                or "none set"))
        writer.facts(facts)
        if server["store"]:
            table_of(writer, store, where=("Server", server["name"]), drop=("Server",))
            if cert["state"] == "present" and not server["default_in_store"]:
                writer.muted(f"The default SMTP certificate ({cert['thumbprint_sha1']}) is not among "
                             "the certificates this store lists.")
        elif server["store_certificates"] is None:
            writer.muted("The server's certificate store was not part of this export.")


# -- DKIM ------------------------------------------------------------------------------------


def _resolver(writer: Writer, section: dict) -> None:
    resolver = section["view"].get("resolver") if section["view"] else None
    if not resolver:
        return
    if resolver["mode"] == "zone_files":
        where = (f"in-process from the zone files {clean(resolver['zone_files'])} (a planned or exported "
                 "zone, not the live DNS)")
    else:
        where = f"through {clean(resolver['nameservers'])}"
    retries = resolver["retries"]
    writer.muted(f"Looked up {where}; timeout {resolver['timeout']} s per query, {retries} "
                 f"retr{'y' if retries == 1 else 'ies'}, {resolver['concurrency']} domains at once, "
                 f"deadline {resolver['deadline']} s. A lookup that timed out or failed is shown as "
                 "“could not verify”, never as missing.")


def dkim(writer: Writer, section: dict, ctx: SectionContext) -> None:
    _lead(writer, ["Exchange Online signs each domain's mail with one of two DKIM selectors. The domain "
                   "publishes ", _code("selector1._domainkey"), " and ", _code("selector2._domainkey"),
                   " as CNAMEs to targets where Microsoft publishes the keys. The ",
                   Span("active", italic=True), " selector is the one Exchange signs with at the time of "
                   "collection (from ", _code("RotateOnDate"), "); only its key must resolve. Microsoft "
                   "often stops publishing the inactive selector's key until the next rotation: that is "
                   "expected and shown, not flagged."])
    _resolver(writer, section)
    _findings(writer, section, ctx)
    view = section["view"]
    if not view:
        writer.muted("No domains were looked up.")
        return
    writer.heading("Failing active selectors", 2)
    if view["failing"]:
        writer.paragraph("Mail signed for these domains now fails DKIM: the active selector does not lead "
                         "receivers to a usable key.")
        table_of(writer, ctx.tables["dkim-failures"])
    else:
        among = " (among the domains that could be verified)" if section["status"] != "ok" else ""
        writer.paragraph(f"None: every enabled domain's active selector resolves to a usable key{among}.")
    writer.heading("Overview", 2)
    table_of(writer, ctx.tables["dkim-overview"])
    if section["detail"] < 2:
        return
    writer.heading("Domains", 2)
    for item in view["domains"]:
        writer.heading(item["domain"], 3)
        if not item["config"]:
            writer.muted(f"{item['active_selector_reason']}.")
            continue
        config = item["config"]
        writer.facts([
            ("Signing", f"{item['signing']} (status {clean(config['status'])})"),
            ("Active selector", f"{clean(item['active_selector'])}: {item['active_selector_reason']}"),
            ("Key created", format_datetime(config["key_creation_time"])),
            ("Last checked by Exchange", format_datetime(config["last_checked"])),
            ("Read from", f"{item['source']['file']} ({item['source']['where']})")])
        rows = []
        for facts in item["selector_rows"]:
            cname = facts["cname_lookup"]
            published = facts["published_target"] or (
                cname["outcome"].upper() + (f" ({cname['error']})" if cname.get("error") else ""))
            key: list[Any] = [Span(facts["summary"]["key"])]
            if facts["summary"]["expected_gap"]:
                key.append(Span(" (inactive selector: Microsoft publishes its key before the next rotation)",
                                color="5A6470"))
            lookup = facts.get("key_lookup")
            if lookup:
                key.append(Span(f"\nTXT {lookup['outcome'].upper()}"
                                + (f": {lookup['error']}" if lookup.get("error") else ""), color="5A6470"))
            if facts.get("key") and facts["key"].get("error"):
                key.append(Span("\n" + facts["key"]["error"]))
            if facts.get("key_problem"):
                key.append(Span("\n" + facts["key_problem"]))
            if facts.get("key_matches_config") is False:
                key.append(Span("\ndiffers from the configured key"))
            if facts.get("key_record"):
                key.append(Span("\n" + facts["summary"]["record_start"], mono=True))
            selector = [Span(facts["selector"])] + ([Span(" (active)", bold=True)] if facts["active"] else [])
            rows.append([selector,
                         [Span(f"{facts['name']} → {published}\n", mono=True), Span(facts["summary"]["cname"])],
                         Cell(facts["configured_target"], mono=True), key])
        writer.table(("Selector", "Published CNAME", "Configured target", "Key at target"), rows)


# -- Mail authentication --------------------------------------------------------------------


def mail_auth(writer: Writer, section: dict, ctx: SectionContext) -> None:
    view = section["view"]
    version = f" {view['checkdmarc_version']}" if view else ""
    _lead(writer, ["What receivers find in DNS for each domain: the DMARC policy at ", _code("_dmarc"),
                   ", the SPF record, the mail exchangers, MTA-STS and TLS reporting (", _code("_mta-sts"),
                   ", ", _code("_smtp._tls"), ") and the BIMI record. Records are parsed and validated with "
                   f"checkdmarc{version}; the raw records are shown as found."])
    _resolver(writer, section)
    _findings(writer, section, ctx)
    if not view:
        writer.muted("No domains were looked up.")
        return
    writer.heading("Overview", 2)
    charts = ctx.report["charts"].get("mail_matrix") or []
    for index, chart in enumerate(charts):
        caption = None
        if index == len(charts) - 1:
            parts = f" ({len(charts)} parts)" if len(charts) > 1 else ""
            caption = f"DKIM, SPF, DMARC policy and MTA-STS per domain{parts}"
        ctx.chart(chart, "Mail authentication by domain", caption)
    kinds = view["kinds"]
    overview = ctx.tables["mail-auth-overview"]
    rows: list[list[Any]] = []
    for item, row in zip(view["domains"], overview.rows):
        cells: list[Any] = [[Span(item["domain"]), *_badge(item["worst"])]]
        for (kind, _), text in zip(kinds, row[1:]):
            cells.append(Cell(text, fill=TONE_FILLS.get(item["cells"][kind]["tone"])))
        rows.append(cells)
    writer.table(overview.columns, rows)
    writer.muted(f"{view['other_lookups']} further lookups (SPF includes, report authorisations, ...) are "
                 "recorded in the bundle.")
    if section["detail"] < 2:
        return
    writer.heading("Domains", 2)
    for item in view["domains"]:
        writer.heading(item["domain"], 3)
        rows = []
        for kind, title in kinds:
            entry = item[kind]
            lookup = entry["lookup"]
            verdict: list[Any] = [Span(item["cells"][kind]["text"])]
            if entry.get("error"):
                verdict.append(Span("\n" + entry["error"]))
            verdict += [Span("\n" + warning, color="5A6470") for warning in entry.get("warnings") or ()]
            verdict += [Span(f"\ncould not verify {failed['name']} {failed['type']}: {failed['outcome']}")
                        for failed in entry.get("failed_lookups") or ()]
            rows.append([title,
                         [Span(f"{lookup['name']} {lookup['type']}\n", mono=True),
                          Span(lookup["outcome"].upper(), color="5A6470")],
                         Cell("\n".join(clean(record) for record in entry["records"]) if entry["records"]
                              else None, mono=True),
                         verdict])
        writer.table(("Record", "Looked up", "Found", "Verdict"), rows)


# -- Azure AD Connect -----------------------------------------------------------------------


def aadconnect(writer: Writer, section: dict, ctx: SectionContext) -> None:
    _lead(writer, ["What was chosen when Azure AD Connect (Entra Connect Sync) was set up, and how it "
                   "synchronises: the wizard's choices (some of which it shows only at install time), the "
                   "pilot group of group-based filtering, the domains and OUs each connector reads, and "
                   "every synchronisation rule."])
    _findings(writer, section, ctx)
    view = section["view"]
    if not view:
        writer.muted("No Azure AD Connect configuration was read.")
        return
    full_rules = ctx.report["options"]["full_rules"] or section["detail"] >= 3
    for server in view["servers"]:
        name = server["server"]
        writer.heading([Span(f"Sync server {clean(name)}"), *_badge(server["worst"])]
                       if server["worst"] else f"Sync server {clean(name)}", 2)
        counts = server["rule_counts"]
        facts: list[tuple[str, Any]] = [
            ("Server", name), ("Configuration version", server["configuration_version"]),
            ("Exported", format_datetime(server["export_date"]))]
        collector = server["collector"]
        if collector:
            facts.append(("Collected by", f"{collector['name']} {clean(collector['version'])} on "
                                          f"{clean(collector['computer_name'])}, "
                                          f"{format_datetime(collector['collected_at'])}"))
        facts += [("Sync rules", f"{counts['total']} ({counts['custom']} custom, {counts['default']} default, "
                                 f"{counts['disabled']} disabled)"),
                  ("Read from", Cell(server["source"]["file"], mono=True))]
        writer.facts(facts)

        filtering = server["group_filtering"]
        writer.heading("Group filtering", 3)
        if filtering["in_effect"]:
            state = [Span("In effect:", bold=True), Span(" only members of the group(s) below are synchronised.")]
        elif filtering["enabled"]:
            state = [Span("Turned on, but no connector names a group:", bold=True), Span(" not in effect.")]
        elif filtering["enabled"] is None:
            state = [Span("Not recorded in this export.")]
        else:
            state = [Span("Off:", bold=True),
                     Span(" every object in the selected domains and OUs is synchronised.")]
        writer.paragraph(state)
        if filtering["connectors"]:
            table_of(writer, ctx.tables["aad-group-dns"], where=("Sync server", name), drop=("Sync server",))

        writer.heading("Setup choices", 3)
        table_of(writer, ctx.tables["aad-setup-choices"], where=("Sync server", name), drop=("Sync server",))
        writer.heading("Connectors", 3)
        table_of(writer, ctx.tables["aad-connectors"], where=("Sync server", name), drop=("Sync server",))
        if section["detail"] < 2:
            continue
        for connector in server["connectors"]:
            _connector(writer, connector)
        _rules(writer, server, full_rules)
        writer.heading("All global settings", 3)
        writer.muted(f"Every parameter of {clean(server['source']['file'])}"
                     + (" and Get-ADSyncGlobalSettingsParameter" if server["collector"] else "")
                     + ", as exported.")
        table_of(writer, ctx.tables["aad-global-settings"], where=("Sync server", name), drop=("Sync server",))
        if server["scheduler"]:
            writer.heading("Scheduler", 3)
            table_of(writer, ctx.tables["aad-scheduler"], where=("Sync server", name), drop=("Sync server",))


def _connector(writer: Writer, connector: dict) -> None:
    writer.heading(f"Connector {clean(connector['name'])}", 4)
    kind = connector["type"] + (f" ({connector['subtype']})" if connector["subtype"] else "")
    facts: list[tuple[str, Any]] = [("Id", Cell(connector["id"], mono=True)), ("Type", kind)]
    if connector["forest"]:
        facts.append(("Forest", connector["forest"]))
    if connector["kind"] == "ad":
        facts.append(("Pilot group DN", Cell(connector["group_filtering_group_dn"], mono=True)))
    if connector["password_hash_sync"] is not None:
        facts.append(("Password hash sync", "on" if connector["password_hash_sync"] else "off"))
    facts.append(("Created", format_datetime(connector["creation_time"])))
    facts += [(parameter["name"], Cell(parameter["value"], mono=True))
              for parameter in [*connector["connectivity"], *connector["configurable_parameters"]]]
    facts.append(("Read from", Cell(connector["source"]["file"], mono=True)))
    writer.facts(facts)
    for partition in connector["partitions"]:
        label = [Span("Partition "), Span(partition["name"], mono=True)]
        if partition["display_name"] != partition["name"]:
            label.append(Span(f" ({clean(partition['display_name'])})"))
        label.append(Span(f": {'selected' if partition['selected'] else 'not selected'}."))
        writer.paragraph(label)
        writer.paragraph(f"Object types: {clean(partition['object_classes'])}")
        if partition["tree"]:
            writer.paragraph("OU filter (the most specific entry wins):")
            _ou_tree(writer, partition["tree"], 0, partition["key"])
        else:
            writer.muted("No container filter recorded.")
    if connector["run_profiles"]:
        writer.table(("Run profile", "Steps"),
                     [[profile["name"], "; ".join(profile["steps_text"]) or None]
                      for profile in connector["run_profiles"]])


def _ou_tree(writer: Writer, nodes: list[dict], level: int, list_id: str) -> None:
    for node in nodes:
        writer.list_item([Span(node["state"], bold=True), Span(" "), Span(node["label"], mono=True)],
                         ordered=False, level=min(level, 2), list_id=list_id)
        if node["children"]:
            _ou_tree(writer, node["children"], level + 1, list_id)


def _rules(writer: Writer, server: dict, full_rules: bool) -> None:
    writer.heading("Synchronisation rules", 3)
    defaults = ("Microsoft's default rules follow them in full." if full_rules else
                "Microsoft's default rules are listed by name only (the HTML report, or rendering with "
                "--full-sync-rules, shows them in full).")
    writer.paragraph("Grouped by connector and direction, in precedence order (a lower number wins). "
                     f"Custom rules are marked and shown in full; {defaults}")
    for group in server["rule_groups"]:
        writer.heading(f"{clean(group['connector_name'])}: {clean(group['direction'])}", 4)
        writer.paragraph(f"{len(group['rules'])} rule(s): {len(group['custom'])} custom, "
                         f"{len(group['default'])} default.")
        writer.table(("Precedence", "Name", "Kind", "Objects", "Link", "State"), [
            [rule["precedence"], [Span(rule["name"]), *_badge(rule["worst"])],
             "default" if rule["is_default"] else "custom",
             f"{clean(rule['source_object_type'])} → {clean(rule['target_object_type'])}", rule["link_type"],
             "disabled" if rule["disabled"] else "enabled"] for rule in group["rules"]],
            weights=(8, 40, 8, 20, 10, 9))
        for rule in group["custom"] + (group["default"] if full_rules else []):
            _rule(writer, rule)


def _rule(writer: Writer, rule: dict) -> None:
    badges = ([] if rule["is_default"] else [Span(" "), Span(" custom ", bold=True, fill="1D4ED8")]) + \
        ([Span(" "), Span(" disabled ", bold=True, fill="5A6470")] if rule["disabled"] else []) + \
        _badge(rule["worst"])
    writer.heading([Span(rule["name"]), *badges] if badges else rule["name"], 5)
    kind = (f"default (immutable tag {clean(rule['immutable_tag'])})" if rule["is_default"] else "custom")
    facts: list[tuple[str, Any]] = [
        ("Precedence", rule["precedence"]),
        ("Connector", rule["connector_name"] or f"unknown connector {rule['connector_id']}"),
        ("Direction", rule["direction"]),
        ("Objects", f"{clean(rule['source_object_type'])} → {clean(rule['target_object_type'])}"),
        ("Link type", rule["link_type"]), ("Kind", kind),
        ("State", "disabled" if rule["disabled"] else "enabled")]
    if rule["password_sync"]:
        facts.append(("Password sync", "enabled in this rule"))
    if rule["description"]:
        facts.append(("Description", rule["description"]))
    facts.append(("Read from", Cell(rule["source"]["file"], mono=True)))
    writer.facts(facts)
    groups = rule["scope_groups"]
    writer.paragraph("Scoping filter" + (" (an object is in scope when any group matches; every clause of a "
                                         "group must match)" if len(groups) > 1 else "") + ":")
    if groups:
        _clauses(writer, groups, f"scope-{rule['key']}")
    else:
        writer.muted("none (every object of the source type)")
    if rule["join_groups"]:
        writer.paragraph("Join rules (tried in order):")
        _clauses(writer, rule["join_groups"], f"join-{rule['key']}")
    if rule["flow_rows"]:
        writer.table(("Destination", "Type", "Source, expression or constant", "Merge", "Once"), [
            [Cell(flow["destination"], mono=True), flow["type"], Cell(flow["source_text"], mono=True),
             flow["merge_type"], "yes" if flow["execute_once"] else ""] for flow in rule["flow_rows"]],
            weights=(22, 10, 50, 10, 6))
    else:
        writer.muted("No attribute flows.")


def _clauses(writer: Writer, groups: list[list[str]], list_id: str) -> None:
    for group in groups:
        spans: list[Span] = []
        for index, clause in enumerate(group):
            if index:
                spans.append(Span(" AND ", italic=True))
            spans.append(Span(clause, mono=True))
        writer.list_item(spans, ordered=True, level=0, list_id=list_id)


# -- any other area -------------------------------------------------------------------------


def generic(writer: Writer, section: dict, ctx: SectionContext, tables: list[Table]) -> None:
    """An area with no Word layout: its findings and its tables, or the unknown-section line."""
    _findings(writer, section, ctx)
    if not tables:
        writer.muted(f"This docgen version has no view for the section “{clean(section['name'])}”; "
                     "its facts are in the bundle.")
    for table in tables:
        writer.heading(table.title, 2)
        table_of(writer, table)


LAYOUTS: dict[str, Callable[[Writer, dict, SectionContext], None]] = {
    "aadconnect": aadconnect,
    "exchange_certificates": exchange_certificates,
    "dkim": dkim,
    "mail_auth": mail_auth,
}
