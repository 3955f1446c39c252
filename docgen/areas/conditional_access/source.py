"""Conditional Access and the tenant's sign-in settings, from the exports a consultant has.

Forms (keys matched case-insensitively, docgen.readers.graph):

- collectors/Export-EntraConfig.ps1's JSON (`"Collector": "Export-EntraConfig"`):
  ConditionalAccessPolicies, SecurityDefaults, AuthorizationPolicy, DirectorySettings,
  NamedLocations and DirectoryObjects (id -> display name, for groups, roles, apps and
  locations; users only when the collector was asked for names);
- Graph REST responses saved as they are: `/identity/conditionalAccess/policies`,
  `/identity/conditionalAccess/namedLocations`, `/policies/identitySecurityDefaultsEnforcementPolicy`,
  `/policies/authorizationPolicy`, `/settings` (a page `{"value": [...]}`, an array or one
  object), or the same objects as the Graph PowerShell SDK writes them;
- a CISA ScubaGear `ProviderSettingsExport.json`: its conditional_access_policies,
  authorization_policies and directory_settings.

A bad policy (no state, an unknown client app type, an unreadable date) is one error
and kept; a file that cannot be read is one error and the other files are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.bundle.result import SourceResult
from docgen.core.dates import utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.readers import graph, scubagear
from docgen.readers import powershell as ps
from docgen.readers.inputs import read_input

SECTION = "conditional_access"
COLLECTOR = "export-entraconfig"
STATES = {"enabled": "enabled", "disabled": "disabled",
          "enabledforreportingbutnotenforced": "enabledForReportingButNotEnforced"}
CLIENT_APP_TYPES = {name.lower(): name for name in (
    "all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other")}
SECURITY_DEFAULTS_ID = "00000000-0000-0000-0000-000000000000"
PASSWORD_RULE_TEMPLATE = "5cf42378-d67d-4f36-ba46-e8b86229381d"
SECRET_SETTING_VALUES = {"bannedpasswordlist"}   # custom banned passwords: only their number is kept

# authorizationPolicy: the settings the report shows, by their path (lower case) and words
AUTHORIZATION_FIELDS = (
    ("allowinvitesfrom", "Who may invite guests"),
    ("guestuserroleid", "Guest user access"),
    ("allowedtousesspr", "Users may use self-service password reset"),
    ("allowemailverifieduserstojoinorganization", "Email-verified users may join the tenant"),
    ("allowedtosignupemailbasedsubscriptions", "Users may sign up for email-based subscriptions"),
    ("allowuserconsentforriskyapps", "Users may consent to risky apps"),
    ("blockmsolpowershell", "MSOnline PowerShell blocked"),
    ("defaultuserrolepermissions.allowedtocreateapps", "Users may register applications"),
    ("defaultuserrolepermissions.allowedtocreatesecuritygroups", "Users may create security groups"),
    ("defaultuserrolepermissions.allowedtocreatetenants", "Users may create tenants"),
    ("defaultuserrolepermissions.allowedtoreadotherusers", "Users may read other users"),
    ("permissiongrantpolicyidsassignedtodefaultuserrole", "User consent policies"),
)
GUEST_ROLES = {"a0b1b346-4d3e-4e8b-98f8-753987be4970": "same as members",
               "10dae51f-b6af-4016-8d66-8c2a99b929b3": "limited (default)",
               "2af84b1e-32c8-42b7-82bc-daa82404023b": "restricted"}


@dataclass
class Parsed:
    policies: list[dict] = field(default_factory=list)
    bad_policies: set[str] = field(default_factory=set)
    security_defaults: dict | None = None
    authorization: list[dict] | None = None
    directory_settings: list[dict] = field(default_factory=list)
    named_locations: list[dict] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    errors: list[DocgenError] = field(default_factory=list)
    collected_at: datetime | None = None
    organization: str | None = None
    form: str = ""


def import_conditional_access(paths: list[Path], collected_at: datetime | None = None) -> SourceResult:
    """Every file's policies and settings in one section; a bad file is one error."""
    errors: list[DocgenError] = []
    inputs: list[dict] = []
    merged = Parsed()
    policies: dict[str, dict] = {}
    policy_files: dict[str, str] = {}    # key -> the file its kept policy came from
    locations: dict[str, dict] = {}
    settings: dict[str, dict] = {}
    times: list[datetime] = []
    forms: list[str] = []
    for path in paths:
        try:
            data, record = read_input(path, SECTION)
            inputs.append(record)
            parsed = parse_export(ps.load_json(data, record["name"]), record["name"])
        except InputError as exc:
            errors.append(exc)
            continue
        errors.extend(parsed.errors)
        forms.append(parsed.form)
        times.extend([parsed.collected_at] if parsed.collected_at else [])
        merged.organization = merged.organization or parsed.organization
        merged.names.update(parsed.names)
        merged.bad_policies |= parsed.bad_policies
        for policy in parsed.policies:
            kept = policies.setdefault(policy["key"], policy)
            if kept is not policy and kept != policy:
                errors.append(_repeated(policy, record["name"], policy_files[policy["key"]]))
            policy_files.setdefault(policy["key"], record["name"])
        for location in parsed.named_locations:
            locations.setdefault(location["key"], location)
        for setting in parsed.directory_settings:
            settings.setdefault(setting["key"], setting)
        if parsed.security_defaults is not None:
            merged.security_defaults = parsed.security_defaults
        if parsed.authorization is not None:
            merged.authorization = parsed.authorization
    items = sorted(policies.values(), key=lambda item: (item["name"].lower(), item["key"]))
    names = {key: name for key, name in sorted(merged.names.items()) if name}
    extra = {
        "forms": sorted(set(forms)),
        "security_defaults": merged.security_defaults,
        "authorization_policy": merged.authorization,
        "directory_settings": sorted(settings.values(), key=lambda item: (item["name"], item["key"])),
        "named_locations": sorted(locations.values(), key=lambda item: (item["name"], item["key"])),
        "directory_objects": names,
    }
    anything = items or locations or settings or merged.security_defaults or merged.authorization
    good = len([item for item in items if item["key"] not in merged.bad_policies])
    return SourceResult(section=SECTION, collected_at=collected_at or (max(times) if times else utc_now()),
                        items=items, errors=errors, inputs=inputs, extra=extra,
                        organization=merged.organization,
                        good_items=good + (1 if anything and not good else 0))


def parse_export(document: Any, source: str) -> Parsed:
    """One file: the collector's JSON, a ScubaGear export, or Graph objects."""
    document = graph.lower_keys(document)
    parsed = Parsed()
    if isinstance(document, dict) and str(document.get("collector", "")).lower() == COLLECTOR:
        parsed.form = "collector"
        parsed.collected_at = ps.to_datetime(document.get("collectedat"), source, "CollectedAt")
        parsed.organization = graph.text(document.get("organization"))
        parsed.names = {str(k).lower(): str(v) for k, v in (document.get("directoryobjects") or {}).items()
                        if v is not None}
        for message in ps.as_list(document.get("errors")):
            parsed.errors.append(InputError(f"the collector reported: {message}", source=source))
        _policies(parsed, document.get("conditionalaccesspolicies"), source)
        _locations(parsed, document.get("namedlocations"), source)
        _settings(parsed, document.get("directorysettings"), source)
        if document.get("securitydefaults") is not None:
            parsed.security_defaults = _security_defaults(document["securitydefaults"])
        if document.get("authorizationpolicy") is not None:
            parsed.authorization = _authorization(graph.objects(document["authorizationpolicy"])[0])
        return parsed
    if isinstance(document, dict) and ("baseline_version" in document
                                       or "conditional_access_policies" in document):
        parsed.form = "scubagear"
        parsed.collected_at = scubagear.collected_at(document, source)
        parsed.organization = scubagear.organization(document)
        _policies(parsed, document.get("conditional_access_policies"), source)
        _settings(parsed, document.get("directory_settings"), source)
        authorization = graph.objects(document.get("authorization_policies"))
        if authorization and isinstance(authorization[0], dict):
            parsed.authorization = _authorization(authorization[0])
        return parsed
    parsed.form = "graph"
    context = str(document.get("@odata.context", "")).lower() if isinstance(document, dict) else ""
    for index, obj in enumerate(graph.objects(document), start=1):
        kind = _kind(obj, context)
        where = f"object {index}"
        if kind == "policy":
            _policies(parsed, [obj], source, first=index)
        elif kind == "location":
            _locations(parsed, [obj], source)
        elif kind == "setting":
            _settings(parsed, [obj], source)
        elif kind == "security_defaults":
            parsed.security_defaults = _security_defaults(obj)
        elif kind == "authorization":
            parsed.authorization = _authorization(obj)
        else:
            raise InputError("not a Conditional Access policy, named location, directory setting, "
                             "security defaults or authorization policy", source=source, where=where)
    return parsed


def _kind(obj: Any, context: str) -> str:
    if not isinstance(obj, dict):
        return ""
    odata = str(obj.get("@odata.type", "")).lower() + " " + context
    if "conditions" in obj or "grantcontrols" in obj or "conditionalaccess/policies" in odata:
        return "policy"
    if "namedlocation" in odata or "ipranges" in obj or "countriesandregions" in obj:
        return "location"
    if "templateid" in obj and "values" in obj:
        return "setting"
    if "securitydefaults" in odata or (str(obj.get("id", "")) == SECURITY_DEFAULTS_ID and "isenabled" in obj):
        return "security_defaults"
    if "authorizationpolicy" in odata or str(obj.get("id", "")).lower() == "authorizationpolicy":
        return "authorization"
    return ""


# -- policies --------------------------------------------------------------------------


def _repeated(policy: dict, source: str, first: str) -> InputError:
    """A policy id met again with other settings: the first is kept, and this one is not lost
    silently (the same policy read twice, as from two exports of one tenant, is no error)."""
    earlier = "earlier in this file" if first == source else f"in {first}"
    return InputError(f"policy id {policy['id'] or policy['key']} is also {earlier}, with other "
                      "settings; that one is kept", source=source, where=f"policy '{policy['name']}'")


def _policies(parsed: Parsed, value: Any, source: str, first: int = 1) -> None:
    for index, obj in enumerate(ps.as_list(value), start=first):
        if not isinstance(obj, dict):
            parsed.errors.append(InputError("policy entry is not an object", source=source,
                                            where=f"policy {index}"))
            continue
        policy, problems = _policy(obj, source, index)
        parsed.policies.append(policy)
        for problem in problems:
            parsed.errors.append(InputError(problem, source=source, where=f"policy '{policy['name']}'"))
        if problems:
            parsed.bad_policies.add(policy["key"])


def _policy(obj: dict, source: str, index: int) -> tuple[dict, list[str]]:
    problems: list[str] = []
    name = graph.text(obj.get("displayname")) or f"(policy {index} without a name)"
    ident = graph.text(obj.get("id"))
    if ident is None:
        problems.append("the policy has no id")
    state_text = graph.text(obj.get("state"))
    state = STATES.get((state_text or "").lower())
    if state_text is None:
        problems.append("the policy has no state; it is not counted as enabled")
    elif state is None:
        problems.append(f"unknown state {state_text!r}; it is not counted as enabled")
    conditions: dict = obj["conditions"] if isinstance(obj.get("conditions"), dict) else {}
    client_types = []
    for value in graph.texts(conditions.get("clientapptypes")):
        known = CLIENT_APP_TYPES.get(value.lower())
        if known is None:
            problems.append(f"unknown client app type {value!r} (ignored)")
        else:
            client_types.append(known)
    dates = {}
    for label, key in (("created", "createddatetime"), ("modified", "modifieddatetime")):
        try:
            dates[label] = graph.date_text(obj.get(key), source, f"policy '{name}' {key}")
        except InputError as exc:
            problems.append(exc.message)
            dates[label] = None
    users: dict = conditions["users"] if isinstance(conditions.get("users"), dict) else {}
    apps: dict = conditions["applications"] if isinstance(conditions.get("applications"), dict) else {}
    policy = {
        "key": (ident or f"policy-{index}").lower(),
        "id": ident,
        "name": name,
        "state": state,
        "created": dates["created"],
        "modified": dates["modified"],
        "users": {
            "include_users": graph.texts(users.get("includeusers")),
            "exclude_users": graph.texts(users.get("excludeusers")),
            "include_groups": graph.texts(users.get("includegroups")),
            "exclude_groups": graph.texts(users.get("excludegroups")),
            "include_roles": graph.texts(users.get("includeroles")),
            "exclude_roles": graph.texts(users.get("excluderoles")),
            "include_guests": _guests(users.get("includeguestsorexternalusers")),
            "exclude_guests": _guests(users.get("excludeguestsorexternalusers")),
        },
        "applications": {
            "include": graph.texts(apps.get("includeapplications")),
            "exclude": graph.texts(apps.get("excludeapplications")),
            "user_actions": graph.texts(apps.get("includeuseractions")),
            "authentication_contexts": graph.texts(apps.get("includeauthenticationcontextclassreferences")),
        },
        "client_app_types": sorted(client_types),
        "platforms": {"include": graph.texts(graph.path(conditions, "platforms", "includeplatforms")),
                      "exclude": graph.texts(graph.path(conditions, "platforms", "excludeplatforms"))},
        "locations": {"include": graph.texts(graph.path(conditions, "locations", "includelocations")),
                      "exclude": graph.texts(graph.path(conditions, "locations", "excludelocations"))},
        "user_risk_levels": graph.texts(conditions.get("userrisklevels")),
        "sign_in_risk_levels": graph.texts(conditions.get("signinrisklevels")),
        "device_filter": graph.text(graph.path(conditions, "devices", "devicefilter", "rule")),
        "authentication_flows": sorted({part.strip() for part in str(
            graph.path(conditions, "authenticationflows", "transfermethods") or "").split(",") if part.strip()}),
        "other_conditions": _other_conditions(conditions),
        "grant": _grant(obj.get("grantcontrols")),
        "session": _session(obj.get("sessioncontrols")),
    }
    return policy, problems


def _other_conditions(conditions: dict) -> list[str]:
    """Conditions the report names but does not spell out (workload identities, insider risk)."""
    found = []
    if graph.texts(conditions.get("insiderrisklevels")):
        found.append("insider risk " + ", ".join(graph.texts(conditions.get("insiderrisklevels"))))
    if graph.texts(conditions.get("serviceprincipalrisklevels")):
        found.append("service principal risk " + ", ".join(graph.texts(conditions.get("serviceprincipalrisklevels"))))
    if graph.texts(graph.path(conditions, "clientapplications", "includeserviceprincipals")):
        found.append("workload identities")
    return found


def _guests(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return graph.text(value.get("guestorexternalusertypes"))


def _grant(value: Any) -> dict | None:
    if not isinstance(value, dict):
        return None
    strength = value.get("authenticationstrength")
    strength_name = None
    if isinstance(strength, dict) and (strength.get("id") or strength.get("displayname")):
        strength_name = graph.text(strength.get("displayname")) or graph.text(strength.get("id"))
    built_in = graph.texts(value.get("builtincontrols"))
    terms = graph.texts(value.get("termsofuse"))
    custom = graph.texts(value.get("customauthenticationfactors"))
    if not (built_in or strength_name or terms or custom):
        return None
    operator = graph.text(value.get("operator"))
    return {"operator": operator.upper() if operator else None, "built_in": built_in,
            "authentication_strength": strength_name, "terms_of_use": terms, "custom": custom}


def _session(value: Any) -> list[str]:
    """The session controls in force, each as a sentence."""
    if not isinstance(value, dict):
        return []
    found = []
    frequency = value.get("signinfrequency")
    if isinstance(frequency, dict) and frequency.get("isenabled"):
        if str(frequency.get("frequencyinterval", "")).lower() == "everytime":
            found.append("sign-in frequency: every time")
        else:
            found.append(f"sign-in frequency: every {frequency.get('value')} {frequency.get('type')}")
    browser = value.get("persistentbrowser")
    if isinstance(browser, dict) and browser.get("isenabled"):
        found.append(f"persistent browser session: {browser.get('mode')}")
    restrictions = value.get("applicationenforcedrestrictions")
    if isinstance(restrictions, dict) and restrictions.get("isenabled"):
        found.append("app enforced restrictions")
    cloud = value.get("cloudappsecurity")
    if isinstance(cloud, dict) and cloud.get("isenabled"):
        found.append(f"Defender for Cloud Apps: {cloud.get('cloudappsecuritytype')}")
    evaluation = value.get("continuousaccessevaluation")
    if isinstance(evaluation, dict) and evaluation.get("mode"):
        found.append(f"continuous access evaluation: {evaluation.get('mode')}")
    if value.get("disableresiliencedefaults") is True:
        found.append("resilience defaults disabled")
    secure = value.get("securesigninsession")
    if isinstance(secure, dict) and secure.get("isenabled"):
        found.append("token protection")
    return sorted(found)


# -- settings ----------------------------------------------------------------------------


def _security_defaults(obj: Any) -> dict:
    obj = graph.objects(obj)[0] if not isinstance(obj, dict) else obj
    enabled = obj.get("isenabled") if isinstance(obj, dict) else None
    return {"enabled": enabled if isinstance(enabled, bool) else None}


def _authorization(obj: Any) -> list[dict]:
    rows: list[dict] = []
    if not isinstance(obj, dict):
        return rows
    for dotted, label in AUTHORIZATION_FIELDS:
        value = graph.path(obj, *dotted.split("."))
        if value is None and not _has(obj, dotted):
            continue
        if dotted == "guestuserroleid" and isinstance(value, str):
            value = GUEST_ROLES.get(value.lower(), value)
        if isinstance(value, list):
            value = sorted(str(item) for item in value)
        elif not isinstance(value, (bool, int, str)) and value is not None:
            value = str(value)
        rows.append({"key": dotted, "name": label, "value": value})
    return rows


def _has(obj: dict, dotted: str) -> bool:
    *parents, last = dotted.split(".")
    holder = graph.path(obj, *parents) if parents else obj
    return isinstance(holder, dict) and last in holder


def _settings(parsed: Parsed, value: Any, source: str) -> None:
    for index, obj in enumerate(ps.as_list(value), start=1):
        if not isinstance(obj, dict):
            parsed.errors.append(InputError("directory setting is not an object", source=source,
                                            where=f"setting {index}"))
            continue
        values = []
        for entry in ps.as_list(obj.get("values")):
            if not isinstance(entry, dict) or entry.get("name") is None:
                continue
            name, raw = str(entry["name"]), entry.get("value")
            if name.lower() in SECRET_SETTING_VALUES:
                words = [word for word in str(raw or "").replace("\t", "\n").splitlines() if word.strip()]
                raw = f"({len(words)} entries, not copied)"
            values.append({"name": name, "value": None if raw is None else str(raw)})
        template = (graph.text(obj.get("templateid")) or "").lower() or None
        name = graph.text(obj.get("displayname")) or (
            "Password Rule Settings" if template == PASSWORD_RULE_TEMPLATE else f"setting {index}")
        parsed.directory_settings.append({
            "key": (graph.text(obj.get("id")) or template or name).lower(),
            "name": name, "template_id": template,
            "values": sorted(values, key=lambda entry: entry["name"].lower())})


def _locations(parsed: Parsed, value: Any, source: str) -> None:
    for index, obj in enumerate(ps.as_list(value), start=1):
        if not isinstance(obj, dict):
            parsed.errors.append(InputError("named location is not an object", source=source,
                                            where=f"location {index}"))
            continue
        ranges = []
        for entry in ps.as_list(obj.get("ipranges")):
            if isinstance(entry, dict) and entry.get("cidraddress"):
                ranges.append(str(entry["cidraddress"]))
        countries = graph.texts(obj.get("countriesandregions"))
        kind = "country" if countries or "country" in str(obj.get("@odata.type", "")).lower() else "ip"
        name = graph.text(obj.get("displayname")) or f"location {index}"
        ident = graph.text(obj.get("id")) or name
        parsed.named_locations.append({
            "key": ident.lower(), "id": ident, "name": name, "kind": kind,
            "trusted": obj.get("istrusted") if isinstance(obj.get("istrusted"), bool) else None,
            "ip_ranges": sorted(ranges), "countries": countries,
            "include_unknown_countries": bool(obj.get("includeunknowncountriesandregions"))})
        parsed.names.setdefault(ident.lower(), name)
