"""Dates: the bundle's one format, and the one reader of every form exports write.

The bundle stores UTC, whole seconds, ISO 8601 with 'Z' (`iso_utc`). Exports
write dates in many ways; `parse_date` reads them all (see its docstring) and
every reader goes through it, so a form accepted in one place is accepted in all.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# "/Date(1653603718610)/", "/Date(1653603718610+0200)/", and "Date(1653603718610)"
# without the slashes. The number is UTC milliseconds; the offset only says
# which zone the writer was in.
_MS_DATE = re.compile(r"^(/?)Date\((-?\d{1,20})([+-]\d{4})?\)\1$")
# en-US "12/30/2027 5:14:03 PM" and the invariant culture's "12/30/2027 17:14:03":
# month first, then day (the order of both cultures).
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})"
                      r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(?:\s*([AaPp][Mm]))?)?$")
# en-US long form ([DateTime]'s "DateTime" property in PowerShell 5.1's JSON):
# "Thursday, May 26, 2022 10:21:58 PM".
_LONG = re.compile(r"^(?:[A-Za-z]+,\s*)?([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})"
                   r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?$")
_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}


def iso_utc(moment: datetime) -> str:
    """Format an aware datetime the way the bundle stores every date.

    Four-digit years always: strftime("%Y") writes year 1 (.NET's DateTime.MinValue,
    which Exchange writes for "never") as "1", which is not ISO 8601.
    """
    utc = moment.astimezone(timezone.utc)
    return (f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
            f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z")


def parse_iso(text: str) -> datetime:
    """Read a bundle date back (ValueError if it is not one)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"date without a time zone: {text!r}")
    return moment.astimezone(timezone.utc)


def whole_days(delta: timedelta) -> int:
    """Whole days of a span, toward zero: 5.3 days ago is -5, so a "days left" column and
    the words "expired 5 days before collection" give one count."""
    return int(delta.total_seconds() / 86400)


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def parse_date(value: str | datetime) -> datetime:
    """A date as PowerShell and its friends write it, as an aware UTC datetime.

    Accepted:
      - "/Date(ms)/", "/Date(ms+hhmm)/" (ConvertTo-Json in Windows PowerShell 5.1)
        and "Date(ms)" without the slashes;
      - ISO 8601 with or without an offset or 'Z', with up to seven decimals
        (PowerShell 7, CLIXML `<DT>`, .NET's "o" and "s" formats);
      - DateTime.ToString() in the en-US culture ("12/30/2027 5:14:03 PM", and
        the long "Thursday, December 30, 2027 5:14:03 PM") and in the invariant
        culture ("12/30/2027 17:14:03"): month first.
    A time without a zone (ISO without an offset, every culture string) is taken
    as UTC: the export does not say where it was written, and guessing the
    reader's zone would make the same file mean different things. Day-first
    cultures (en-GB "30/12/2027") are not read: "03/12/2027" cannot be told from
    the en-US form.

    ValueError("not a date: ...") or ("date out of range: ...") otherwise.
    """
    if isinstance(value, datetime):
        return _as_utc(value)
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        try:
            return _EPOCH + timedelta(milliseconds=int(match.group(2)))
        except OverflowError:
            raise ValueError(f"date out of range: {text}") from None
    for reader in (_from_iso, _from_slashed, _from_long):
        moment = reader(text)
        if moment is not None:
            return _as_utc(moment)
    raise ValueError(f"not a date: {_short(value)}")


def _from_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _from_slashed(text: str) -> datetime | None:
    match = _SLASHED.match(text)
    if not match:
        return None
    month, day, year, hour, minute, second, fraction, half = match.groups()
    return _build(int(year), int(month), int(day), hour, minute, second, fraction, half)


def _from_long(text: str) -> datetime | None:
    match = _LONG.match(text)
    if not match:
        return None
    month_name, day, year, hour, minute, second, half = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    return _build(int(year), month, int(day), hour, minute, second, None, half)


def _build(year: int, month: int, day: int, hour: str | None, minute: str | None,
           second: str | None, fraction: str | None, half: str | None) -> datetime | None:
    hours = int(hour or 0)
    if half is not None:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half.lower() == "pm" else 0)
    micro = int((fraction or "0").ljust(6, "0")[:6])
    try:
        return datetime(year, month, day, hours, int(minute or 0), int(second or 0), micro)
    except ValueError:
        return None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        # 0001-01-01T00:00:00+02:00 has no UTC form inside datetime's range
        raise ValueError(f"date out of range: {moment.isoformat()}") from None


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
