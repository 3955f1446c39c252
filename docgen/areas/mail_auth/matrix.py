"""The mail-authentication matrix: DKIM (from the dkim section) beside SPF, DMARC and MTA-STS."""

from __future__ import annotations

from docgen.render.charts import mail_auth_matrix


def mail_matrix(views: dict[str, dict]) -> dict[str, list]:
    """The report's charts this area adds, by name, from the views of the shown sections."""
    return {"mail_matrix": _mail_matrix(views)}


def _mail_matrix(views: dict[str, dict]) -> list:
    """DKIM (from the dkim section) beside SPF, DMARC and MTA-STS, per domain."""
    mail = views.get("mail_auth")
    if not mail:
        return []
    dkim = {item["domain"]: item for item in views.get("dkim", {}).get("domains", [])}
    failing = {row["domain"] for row in views.get("dkim", {}).get("failing", [])}
    rows = []
    for item in mail["domains"]:
        cells = {title: (item["cells"][kind]["tone"], item["cells"][kind]["text"])
                 for kind, title in (("spf", "SPF"), ("dmarc", "DMARC policy"), ("mta_sts", "MTA-STS"))}
        cells["DKIM"] = _dkim_cell(dkim.get(item["domain"]), item["domain"] in failing)
        rows.append((item["domain"], cells))
    return mail_auth_matrix(rows, ["DKIM", "SPF", "DMARC policy", "MTA-STS"])


def _dkim_cell(item: dict | None, failing: bool) -> tuple[str, str]:
    if item is None:
        return ("absent", "not collected")
    if failing:
        return ("problem", "active key fails")
    if item["signing"] != "enabled":
        return ("warn", item["signing"])
    active = item["by_selector"].get(item["active_selector"] or "")
    if active is not None and active["key_state"] == "unverified":
        return ("unverified", "could not verify")
    return ("ok", f"signing ({item['active_selector']})")
