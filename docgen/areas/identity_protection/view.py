"""Identity Protection as the template sees it: counts by level and state, the oldest open risk,
and (from the Conditional Access view, when the report has one) the policies answering risk."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from docgen.areas.identity_protection.source import LEVELS, OPEN_STATES

RISK_ROWS = ("user_risk_high", "sign_in_risk_medium")


def identity_protection_view(section: dict, as_of: datetime, findings: list[dict]) -> dict:
    users, detections = section["users"], section["detections"]
    states = sorted({user["state"] for user in users})
    levels = [level for level in LEVELS if any(user["level"] == level for user in users)]
    counts = Counter((user["level"], user["state"]) for user in users)
    open_users = [user for user in users if user["state"] in OPEN_STATES and user["updated"]]
    oldest = min(open_users, key=lambda user: user["updated"], default=None)
    return {
        "users_total": len(users),
        "open_total": sum(1 for user in users if user["state"] in OPEN_STATES),
        "states": states,
        "matrix": [{"level": level, "cells": [counts.get((level, state), 0) for state in states],
                    "total": sum(counts.get((level, state), 0) for state in states)} for level in levels],
        "oldest_open": None if oldest is None else {"level": oldest["level"], "since": oldest["updated"]},
        "detections_total": len(detections),
        "detection_counts": section["detection_counts"],
        "users": users,
        "detections": detections,
        "includes_user_names": section["includes_user_names"],
    }


def risk_policy_charts(views: dict[str, dict]) -> dict[str, list]:
    """The Conditional Access coverage rows about risk, for the Identity Protection chapter."""
    ca = views.get("conditional_access")
    if not ca:
        return {"risk_policies": []}
    return {"risk_policies": [row for row in ca["coverage"] if row["key"] in RISK_ROWS]}
