#!/usr/bin/env python3
"""Generate the inputs of dagplan's Dagster conformance suite.

Writes, next to this file:
    keys_cases.json      cases of kind "keys"
    mapping_cases.json   cases of kind "upstream" and "downstream"

Only INPUTS are produced here (partitions definitions, mappings, key sets, current times).
Expected values come exclusively from the real Dagster library, via record.py and the
oracle (/work/shared/oracle/dagster_oracle.py). The input schema is the oracle's.

Deterministic: a fixed seed drives the few random choices (input key sets), cases are emitted
in a fixed order, and JSON is written with sorted keys; running it twice gives byte-identical
files. Uses only the standard library (zoneinfo for DST transition dates), so any Python >= 3.9
with tz data runs it; the README uses the oracle venv's python for both steps.

Every case id is "<file prefix>/<category>/.../<scenario>" so that a failing Rust test names the
scenario, e.g. keys/tz/new_york/hourly/spring_forward/asof_after. Ids starting with
"keys/ref5/" or "map/ref5/" port the numbered cases of section 5 of
shared/reference/dagster-partitions-semantics.md (record.py compares them to its claims).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

SEED = 20240229
HERE = Path(__file__).resolve().parent
UTC = timezone.utc

# ------------------------------------------------------------------------------------------
# Time helpers (inputs only: current times, start strings, input key strings)
# ------------------------------------------------------------------------------------------


def local(tz: str, s: str, fold: int = 0) -> datetime:
    """Naive ISO wall time `s` in zone `tz` (fold=1 picks the second of a repeated time)."""
    return datetime.fromisoformat(s).replace(tzinfo=ZoneInfo(tz), fold=fold)


def rfc(dt: datetime) -> str:
    """RFC3339 with the zone's offset ("Z" for UTC)."""
    if dt.utcoffset() == timedelta(0) and str(dt.tzinfo) in ("UTC", "UTC+00:00", "utc"):
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.isoformat()


def ct(tz: str, s: str, fold: int = 0) -> str:
    return rfc(local(tz, s, fold))


def utc(s: str) -> str:
    return ct("UTC", s)


def shift(dt: datetime, minutes: float) -> datetime:
    """Absolute (elapsed-time) shift, shown again in dt's zone."""
    return (dt.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(dt.tzinfo)


def asof_variants(tz: str, boundary: str, period_minutes: float, fold: int = 0):
    """(suffix, current_time) for: exactly at a window end, one minute before it, and in the
    middle of the window that starts there."""
    b = local(tz, boundary, fold)
    return [
        ("asof_window_end", rfc(b)),
        ("asof_1min_before_end", rfc(shift(b, -1))),
        ("asof_mid_window", rfc(shift(b, period_minutes / 2))),
    ]


def dst_transitions(tz: str, year: int):
    """[(kind, utc_instant, offset_before, offset_after)] found by scanning the year in 15-minute
    steps (every zone used here changes offset on a quarter hour)."""
    z = ZoneInfo(tz)
    t = datetime(year, 1, 1, tzinfo=UTC)
    prev = t.astimezone(z).utcoffset()
    out = []
    while t.year == year:
        t2 = t + timedelta(minutes=15)
        off = t2.astimezone(z).utcoffset()
        if off != prev:
            out.append(("spring_forward" if off > prev else "fall_back", t2, prev, off))
            prev = off
        t = t2
    return out


def dst_points(tz: str, year: int):
    """For each transition: kind, the local date, the wall time in the middle of the spring gap
    or of the fall repeat (an "HH:MM" a cron tick can name), and the UTC instant."""
    pts = []
    for kind, t, before, after in dst_transitions(tz, year):
        shift_min = abs(after - before) / timedelta(minutes=1)
        if kind == "spring_forward":
            gap_start = t.astimezone(ZoneInfo(tz)).replace(tzinfo=None) - (after - before)
            mid = gap_start + timedelta(minutes=shift_min / 2)
        else:
            rep_start = t.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
            mid = rep_start + timedelta(minutes=shift_min / 2)
        pts.append({"kind": kind, "date": mid.date(), "mid": mid, "instant": t})
    return pts


def day_keys(start: str, n: int, step: int = 1, fmt: str = "%Y-%m-%d") -> list[str]:
    d0 = datetime.fromisoformat(start)
    return [(d0 + timedelta(days=i * step)).strftime(fmt) for i in range(n)]


def hour_keys(start: str, n: int) -> list[str]:
    d0 = datetime.fromisoformat(start)
    return [(d0 + timedelta(hours=i)).strftime("%Y-%m-%d-%H:%M") for i in range(n)]


# ------------------------------------------------------------------------------------------
# Case registries
# ------------------------------------------------------------------------------------------
KEYS: list[dict] = []
MAPS: list[dict] = []
_IDS: set[str] = set()


def _add(reg: list, case: dict) -> None:
    if case["id"] in _IDS:
        raise SystemExit(f"duplicate case id {case['id']}")
    _IDS.add(case["id"])
    reg.append(case)


def K(cid: str, pd: dict, current_time: str) -> None:
    _add(KEYS, {"id": "keys/" + cid, "kind": "keys", "current_time": current_time, "partitions_def": pd})


def UP(cid: str, up: dict, down: dict, mapping, downstream_keys: list, current_time: str) -> None:
    _add(MAPS, {"id": "map/" + cid + "/up", "kind": "upstream", "current_time": current_time,
                "upstream": up, "downstream": down, "mapping": mapping,
                "downstream_keys": list(downstream_keys)})


def DOWN(cid: str, up: dict, down: dict, mapping, upstream_keys: list, current_time: str) -> None:
    _add(MAPS, {"id": "map/" + cid + "/down", "kind": "downstream", "current_time": current_time,
                "upstream": up, "downstream": down, "mapping": mapping,
                "upstream_keys": list(upstream_keys)})


def BOTH(cid, up, down, mapping, down_keys, up_keys, current_time) -> None:
    UP(cid, up, down, mapping, down_keys, current_time)
    DOWN(cid, up, down, mapping, up_keys, current_time)


# Partitions-def constructors (just dict builders, for readability)
def hourly(start, **kw):
    return {"type": "hourly", "start": start, **kw}


def daily(start, **kw):
    return {"type": "daily", "start": start, **kw}


def weekly(start, **kw):
    return {"type": "weekly", "start": start, **kw}


def monthly(start, **kw):
    return {"type": "monthly", "start": start, **kw}


def cron(schedule, start, fmt, **kw):
    return {"type": "time_window", "cron_schedule": schedule, "start": start, "fmt": fmt, **kw}


def static(*keys):
    return {"type": "static", "keys": list(keys)}


def dynamic(name, *keys):
    return {"type": "dynamic", "name": name, "keys": list(keys)}


def multi(**dims):
    return {"type": "multi", "dimensions": dict(dims)}


def tw(start_offset=None, end_offset=None, allow=None):
    m: dict = {"type": "time_window"}
    if start_offset is not None:
        m["start_offset"] = start_offset
    if end_offset is not None:
        m["end_offset"] = end_offset
    if allow is not None:
        m["allow_nonexistent_upstream_partitions"] = allow
    return m


ZONES = {
    "utc": "UTC",
    "new_york": "America/New_York",
    "berlin": "Europe/Berlin",
    "lord_howe": "Australia/Lord_Howe",
    "kolkata": "Asia/Kolkata",
    "chatham": "Pacific/Chatham",
    "st_johns": "America/St_Johns",
    "us_central": "US/Central",
    "los_angeles": "America/Los_Angeles",
}
DST_ZONES = [z for z in ZONES if dst_transitions(ZONES[z], 2024)]

# ==========================================================================================
# KEYS CASES
# ==========================================================================================


def keys_cadences() -> None:
    # --- hourly, minute offsets, three current-time variants each
    for m in (0, 15, 59):
        pd = hourly("2024-01-01-00:00", **({"minute_offset": m} if m else {}))
        for suf, t in asof_variants("UTC", f"2024-01-01T12:{m:02d}", 60):
            K(f"hourly/utc/minute_offset_{m}/{suf}", pd, t)
    # --- daily, minute/hour offsets
    for h, m in ((0, 0), (6, 0), (23, 30), (0, 45)):
        pd = daily("2024-01-01", **({"hour_offset": h} if h else {}), **({"minute_offset": m} if m else {}))
        for suf, t in asof_variants("UTC", f"2024-02-01T{h:02d}:{m:02d}", 1440):
            K(f"daily/utc/h{h}_m{m}/{suf}", pd, t)
    # --- weekly, day_offset 0..6 (2024-03-03 is a Sunday); rotate the current-time variant
    for d in range(7):
        pd = weekly("2024-01-01", day_offset=d)
        boundary = (date(2024, 3, 3) + timedelta(days=d)).isoformat() + "T00:00"
        suf, t = asof_variants("UTC", boundary, 7 * 1440)[d % 3]
        K(f"weekly/utc/day_offset_{d}/{suf}", pd, t)
    pd = weekly("2024-01-01", day_offset=3, hour_offset=4, minute_offset=15)
    for suf, t in asof_variants("UTC", "2024-03-06T04:15", 7 * 1440):
        K(f"weekly/utc/d3_h4_m15/{suf}", pd, t)
    pd = weekly("2024-01-01")
    for suf, t in asof_variants("UTC", "2024-03-03T00:00", 7 * 1440):
        K(f"weekly/utc/default/{suf}", pd, t)
    # --- monthly, day offsets 1-28 sampled, 29/30/31 through February (fast path ends at 28)
    for i, d in enumerate((1, 2, 7, 14, 15, 27, 28)):
        pd = monthly("2023-01-01", day_offset=d)
        suf, t = asof_variants("UTC", f"2024-03-{d:02d}T00:00", 30 * 1440)[i % 3]
        K(f"monthly/utc/day_offset_{d}/{suf}", pd, t)
    for d in (29, 30, 31):
        pd = monthly("2023-01-01", day_offset=d)
        K(f"monthly/utc/day_offset_{d}/through_feb_2024", pd, utc("2024-06-15T00:00"))
        K(f"monthly/utc/day_offset_{d}/asof_2024_03_{d}", pd, utc(f"2024-03-{d:02d}T00:00"))
    pd = monthly("2099-11-01", day_offset=29)
    K("monthly/utc/day_offset_29/through_feb_2100_not_leap", pd, utc("2100-05-01T00:00"))
    pd = monthly("2023-01-01", day_offset=12, hour_offset=3, minute_offset=15)
    for suf, t in asof_variants("UTC", "2024-03-12T03:15", 30 * 1440):
        K(f"monthly/utc/d12_h3_m15/{suf}", pd, t)
    pd = monthly("2023-01-01")
    for suf, t in asof_variants("UTC", "2024-03-01T00:00", 30 * 1440):
        K(f"monthly/utc/default/{suf}", pd, t)


def keys_end_offsets() -> None:
    defs = {
        "hourly": (hourly("2024-01-01-00:00"), "2024-01-01T10:30"),
        "daily": (daily("2024-01-01"), "2024-01-20T12:00"),
        "weekly": (weekly("2024-01-01"), "2024-03-06T12:00"),
        "monthly": (monthly("2023-06-01"), "2024-03-15T12:00"),
    }
    for name, (pd, now) in defs.items():
        for eo in range(-3, 4):
            K(f"{name}/utc/end_offset_{'p' if eo >= 0 else 'm'}{abs(eo)}/asof_mid_window",
              {**pd, "end_offset": eo}, utc(now))
    # end_offset exactly at a boundary (the in-progress window just started)
    for eo in (-1, 1):
        K(f"daily/utc/end_offset_{'p' if eo > 0 else 'm'}1/asof_window_end",
          {**daily("2024-01-01"), "end_offset": eo}, utc("2024-01-20T00:00"))


def keys_end_given() -> None:
    defs = {
        "hourly": (hourly("2024-01-01-00:00", end="2024-01-02-00:00"), "2024-01-02T00:00", 60),
        "daily": (daily("2024-01-01", end="2024-02-01"), "2024-02-01T00:00", 1440),
        "weekly": (weekly("2024-01-01", end="2024-03-03"), "2024-03-03T00:00", 7 * 1440),
        "monthly": (monthly("2023-01-01", end="2024-01-01"), "2024-01-01T00:00", 30 * 1440),
    }
    for name, (pd, end_at, period) in defs.items():
        e = local("UTC", end_at)
        K(f"{name}/utc/end/asof_before_end", pd, rfc(shift(e, -3 * period)))
        K(f"{name}/utc/end/asof_1min_before_end", pd, rfc(shift(e, -1)))
        K(f"{name}/utc/end/asof_exactly_end", pd, rfc(e))
        K(f"{name}/utc/end/asof_long_after_end", pd, rfc(shift(e, 40 * period)))
        K(f"{name}/utc/end/end_offset_m2/asof_after_end", {**pd, "end_offset": -2}, rfc(shift(e, 40 * period)))
        K(f"{name}/utc/end/end_offset_m2/asof_before_end", {**pd, "end_offset": -2}, rfc(shift(e, -3 * period)))
        K(f"{name}/utc/end/end_offset_p2/asof_1min_before_end", {**pd, "end_offset": 2}, rfc(shift(e, -1)))
    # an end that is not on a window boundary
    K("daily/utc/end/unaligned_end_mid_day", daily("2024-01-01", end_dt="2024-01-10T12:00:00"), utc("2024-03-01T00:00"))
    K("monthly/utc/end/end_before_first_window", monthly("2024-01-12", end="2024-01-31"), utc("2024-03-01T00:00"))


def keys_crons() -> None:
    f_min = "%Y-%m-%d-%H:%M"
    pd = cron("*/15 * * * *", "2024-01-01-00:00", f_min)
    for suf, t in asof_variants("UTC", "2024-01-01T06:00", 15):
        K(f"cron/every_15min/utc/{suf}", pd, t)
    K("cron/every_30min/utc/asof_mid_window", cron("*/30 * * * *", "2024-01-01-00:00", f_min), utc("2024-01-01T09:10"))
    pd = cron("0 */4 * * *", "2024-01-01-00:00", f_min)
    for suf, t in asof_variants("UTC", "2024-01-03T08:00", 240):
        K(f"cron/every_4h/utc/{suf}", pd, t)
    K("cron/every_4h/utc/lossy_fmt_date_only", cron("0 */4 * * *", "2024-01-01", "%Y-%m-%d"), utc("2024-01-02T13:00"))
    pd = cron("0 0,11 * * *", "2024-01-01-00:00", f_min)
    K("cron/hours_0_and_11/utc/asof_at_11", pd, utc("2024-01-04T11:00"))
    K("cron/hours_0_and_11/utc/asof_mid_window", pd, utc("2024-01-04T17:00"))
    pd = cron("0 0 * * 1-5", "2024-01-01", "%Y-%m-%d")  # 2024-01-05 is a Friday
    K("cron/weekdays_1_5/utc/asof_friday_2359", pd, utc("2024-01-12T23:59"))
    K("cron/weekdays_1_5/utc/asof_saturday_noon", pd, utc("2024-01-13T12:00"))
    K("cron/weekdays_1_5/utc/asof_monday_0000", pd, utc("2024-01-15T00:00"))
    K("cron/weekdays_mon_fri_names/utc/asof_monday_0000",
      cron("0 0 * * MON-FRI", "2024-01-01", "%Y-%m-%d"), utc("2024-01-15T00:00"))
    K("cron/daily_0230/utc/asof_mid_window", cron("30 2 * * *", "2024-01-01", "%Y-%m-%d"), utc("2024-01-05T12:00"))
    pd = cron("0 0 1 */3 *", "2023-01-01", "%Y-%m-%d")
    K("cron/quarterly/utc/asof_window_end", pd, utc("2024-04-01T00:00"))
    K("cron/quarterly/utc/asof_1min_before_end", pd, utc("2024-03-31T23:59"))
    pd = cron("0 0 1 1 *", "2015", "%Y")
    K("cron/yearly_fmt_Y/utc/asof_window_end", pd, utc("2024-01-01T00:00"))
    K("cron/yearly_fmt_Y/utc/asof_1min_before_end", pd, utc("2023-12-31T23:59"))
    K("cron/yearly/utc/asof_mid_window", cron("0 0 1 1 *", "2015-01-01", "%Y-%m-%d"), utc("2024-07-01T00:00"))
    pd = cron("0 0 L * *", "2023-10-01", "%Y-%m-%d")
    K("cron/last_day_L/utc/asof_after_leap_feb", pd, utc("2024-03-31T00:00"))
    K("cron/last_day_L/utc/asof_1min_before_feb_end", pd, utc("2024-02-28T23:59"))
    K("cron/jan_jul_names/utc/asof_mid_window", cron("0 0 1 JAN,JUL *", "2020-01-01", "%Y-%m-%d"), utc("2024-03-01T00:00"))
    pd = cron("15 6 29 2 *", "2015-01-01", "%Y-%m-%d")
    K("cron/leap_day_only/utc/asof_2030", pd, utc("2030-01-01T00:00"))
    K("cron/leap_day_only/utc/asof_exactly_2028_tick",
      pd, utc("2028-02-29T06:15"))
    K("cron/leap_day_only/utc/across_2100", cron("15 6 29 2 *", "2095-01-01", "%Y-%m-%d"), utc("2109-01-01T00:00"))
    pd = cron("0 0 31 * *", "2023-01-01", "%Y-%m-%d")
    K("cron/day_31/utc/asof_mid_2024", pd, utc("2024-06-15T00:00"))
    K("cron/weekly_cron_as_monday/utc/asof_window_end", cron("0 0 * * 1", "2024-01-01", "%Y-%m-%d"), utc("2024-02-05T00:00"))
    K("cron/day_15_and_last/utc/asof_mid", cron("0 0 1,15 * *", "2024-01-01", "%Y-%m-%d"), utc("2024-04-20T00:00"))
    # ticks inside the spring gap and the fall repeat, for every DST zone
    for z in DST_ZONES:
        tz = ZONES[z]
        for p in dst_points(tz, 2024):
            hhmm = p["mid"].strftime("%H:%M")
            sched = f"{p['mid'].minute} {p['mid'].hour} * * *"
            d = p["date"]
            start = (d - timedelta(days=3)).isoformat()
            after = (d + timedelta(days=3)).isoformat() + "T12:00"
            label = "tick_in_spring_gap" if p["kind"] == "spring_forward" else "tick_in_fall_repeat"
            K(f"cron/daily_at_{hhmm.replace(':', '')}/{z}/{label}",
              cron(sched, start, "%Y-%m-%d", timezone=tz), ct(tz, after))
            if p["kind"] == "spring_forward":
                # the same tick as an hourly-fmt key: where does the moved tick land?
                K(f"cron/daily_at_{hhmm.replace(':', '')}/{z}/{label}/fmt_with_time",
                  cron(sched, start + "-00:00", f_min, timezone=tz), ct(tz, after))


def keys_timezones() -> None:
    """Hourly, */15, */30 and daily-at-02:30 across each zone's DST transitions."""
    for z, tz in ZONES.items():
        if z in DST_ZONES:
            points = dst_points(tz, 2024)
        else:
            points = [{"kind": "no_dst", "date": date(2024, 3, 10), "mid": datetime(2024, 3, 10, 2, 30)}]
        for p in points:
            d = p["date"]
            kind = p["kind"]
            day_before = (d - timedelta(days=1)).isoformat()
            day_after = (d + timedelta(days=1)).isoformat()
            K(f"tz/{z}/hourly/{kind}/asof_next_day_0400",
              hourly(day_before + "-00:00", timezone=tz), ct(tz, day_after + "T04:00"))
            K(f"tz/{z}/every_15min/{kind}/asof_next_day_0100",
              cron("*/15 * * * *", d.isoformat() + "-00:00", "%Y-%m-%d-%H:%M", timezone=tz),
              ct(tz, day_after + "T01:00"))
            if z in ("lord_howe", "chatham", "st_johns", "kolkata"):
                K(f"tz/{z}/every_30min/{kind}/asof_next_day_0100",
                  cron("*/30 * * * *", d.isoformat() + "-00:00", "%Y-%m-%d-%H:%M", timezone=tz),
                  ct(tz, day_after + "T01:00"))
            K(f"tz/{z}/daily_0230/{kind}/asof_3_days_after",
              daily((d - timedelta(days=3)).isoformat(), hour_offset=2, minute_offset=30, timezone=tz),
              ct(tz, (d + timedelta(days=3)).isoformat() + "T12:00"))
            K(f"tz/{z}/daily/{kind}/asof_3_days_after",
              daily((d - timedelta(days=3)).isoformat(), timezone=tz),
              ct(tz, (d + timedelta(days=3)).isoformat() + "T12:00"))
            if kind == "no_dst":
                continue
            # current time right at the transition instant, and one minute before it
            inst = p["instant"].astimezone(ZoneInfo(tz))
            K(f"tz/{z}/hourly/{kind}/asof_transition_instant", hourly(d.isoformat() + "-00:00", timezone=tz), rfc(inst))
            K(f"tz/{z}/hourly/{kind}/asof_1min_before_transition",
              hourly(d.isoformat() + "-00:00", timezone=tz), rfc(shift(inst, -1)))
            K(f"tz/{z}/hourly/{kind}/asof_1h_after_transition",
              hourly(d.isoformat() + "-00:00", timezone=tz), rfc(shift(inst, 60)))
    # weekly and monthly spanning a transition, a few zones
    for z in ("new_york", "lord_howe", "chatham"):
        tz = ZONES[z]
        K(f"tz/{z}/weekly/across_2024/asof_year_end", weekly("2024-01-01", timezone=tz), ct(tz, "2025-01-01T00:00"))
        K(f"tz/{z}/monthly_h2_m30/across_2024/asof_year_end",
          monthly("2024-01-01", hour_offset=2, minute_offset=30, timezone=tz), ct(tz, "2025-01-01T00:00"))


def keys_calendar_edges() -> None:
    K("leap/daily/2020_02_29/asof_window_end", daily("2020-02-27"), utc("2020-03-02T00:00"))
    K("leap/daily/2024_02_29/asof_1min_before_end", daily("2024-02-27"), utc("2024-03-01T23:59"))
    K("leap/daily/2100_not_leap/asof_window_end", daily("2100-02-26"), utc("2100-03-02T00:00"))
    K("leap/daily/2100_not_leap/start_on_feb_29_invalid", daily("2100-02-29"), utc("2100-03-05T00:00"))
    K("leap/weekly/2024_feb/asof_mid_window", weekly("2024-02-01", day_offset=4), utc("2024-03-10T00:00"))
    K("month_end/daily/jan_to_mar_2023/asof_window_end", daily("2023-01-29"), utc("2023-03-02T00:00"))
    K("month_end/monthly_d31_h23/asof_window_end",
      monthly("2023-01-01", day_offset=31, hour_offset=23), utc("2023-12-31T23:00"))
    K("year_end/daily/2023_2024/asof_window_end", daily("2023-12-29"), utc("2024-01-02T00:00"))
    K("year_end/hourly/2023_2024/asof_1min_before_end", hourly("2023-12-31-20:00"), utc("2024-01-01T02:59"))
    K("year_end/weekly/2020_week53/asof_window_end", weekly("2020-12-01", day_offset=1), utc("2021-01-12T00:00"))
    K("year_end/monthly/end_at_year_end/asof_after", monthly("2023-06-01", end="2024-01-01"), utc("2024-06-01T00:00"))
    K("year_end/daily/end_2024_01_01/asof_after", daily("2023-12-25", end="2024-01-01"), utc("2024-06-01T00:00"))


def keys_fmts() -> None:
    K("fmt/monthly_Y_m/asof_window_end", monthly("2023-01", fmt="%Y-%m"), utc("2024-01-01T00:00"))
    K("fmt/monthly_Y_m/with_end", monthly("2023-01", fmt="%Y-%m", end="2023-07"), utc("2024-01-01T00:00"))
    K("fmt/daily_Ymd_compact/asof_window_end", daily("20240101", fmt="%Y%m%d"), utc("2024-01-10T00:00"))
    K("fmt/daily_dmY_dotted/across_month/asof_window_end", daily("28.01.2024", fmt="%d.%m.%Y"), utc("2024-02-03T00:00"))
    K("fmt/daily_Y_m_lossy/asof_window_end", daily("2024-01", fmt="%Y-%m"), utc("2024-01-05T00:00"))
    K("fmt/hourly_space_HM/asof_window_end", hourly("2024-01-01 00:00", fmt="%Y-%m-%d %H:%M"), utc("2024-01-01T05:00"))
    K("fmt/hourly_iso_T_HMS/asof_window_end", hourly("2024-01-01T00:00:00", fmt="%Y-%m-%dT%H:%M:%S"), utc("2024-01-01T05:00"))
    K("fmt/hourly_with_z/new_york/fall_back",
      hourly("2024-11-03-00:00-0400", fmt="%Y-%m-%d-%H:%M%z", timezone="America/New_York"),
      ct("America/New_York", "2024-11-03T04:00"))
    K("fmt/hourly_with_z/new_york/start_without_offset",
      hourly("2024-11-03-00:00", fmt="%Y-%m-%d-%H:%M%z", timezone="America/New_York"),
      ct("America/New_York", "2024-11-03T04:00"))
    K("fmt/daily_with_space_z/berlin/spring_forward",
      daily("2024-03-29 +0100", fmt="%Y-%m-%d %z", timezone="Europe/Berlin"), ct("Europe/Berlin", "2024-04-02T00:00"))
    K("fmt/daily_Ymd_HM/utc/asof_window_end", daily("2024-01-01-00:00", fmt="%Y-%m-%d-%H:%M"), utc("2024-01-05T00:00"))
    K("fmt/daily_Ymd_HM/hour_offset_1/asof_window_end",
      daily("2024-01-01-01:00", fmt="%Y-%m-%d-%H:%M", hour_offset=1), utc("2024-01-05T01:00"))
    K("fmt/weekly_iso_week_start_unparseable", weekly("2024-W01", fmt="%G-W%V"), utc("2024-02-01T00:00"))
    K("fmt/weekly_Y_U_week_number", weekly("2024-01", fmt="%Y-%U"), utc("2024-02-01T00:00"))
    K("fmt/daily_with_Z_name/new_york", daily("2024-01-01 UTC", fmt="%Y-%m-%d %Z", timezone="America/New_York"),
      ct("America/New_York", "2024-01-04T00:00"))
    K("fmt/daily_with_Z_name/utc", daily("2024-01-01 UTC", fmt="%Y-%m-%d %Z"), utc("2024-01-04T00:00"))
    K("fmt/hourly_12h_clock_am_pm", hourly("2024-01-01 12AM", fmt="%Y-%m-%d %I%p"), utc("2024-01-01T15:00"))
    K("fmt/cron_4h_underscore_H", cron("0 */4 * * *", "2024-01-01_00", "%Y-%m-%d_%H"), utc("2024-01-02T09:00"))
    # start/end as naive datetimes
    K("start_dt/daily_unaligned_0630/asof_window_end", {"type": "daily", "start_dt": "2024-01-01T06:30:00"}, utc("2024-01-05T00:00"))
    K("start_dt/daily_aligned/asof_window_end", {"type": "daily", "start_dt": "2024-01-01T00:00:00"}, utc("2024-01-05T00:00"))
    K("start_dt/hourly_unaligned_0630/asof_window_end", {"type": "hourly", "start_dt": "2024-01-01T06:30:00"}, utc("2024-01-01T12:00"))
    K("start_dt/daily_new_york/asof_window_end",
      {"type": "daily", "start_dt": "2024-01-01T00:00:00", "timezone": "America/New_York"},
      ct("America/New_York", "2024-01-05T00:00"))
    K("start_dt/monthly_with_end_dt",
      {"type": "monthly", "start_dt": "2023-01-01T00:00:00", "end_dt": "2023-06-15T12:00:00"}, utc("2024-01-01T00:00"))
    K("start_dt/cron_every_4h_end_dt",
      {"type": "time_window", "cron_schedule": "0 */4 * * *", "fmt": "%Y-%m-%d-%H:%M",
       "start_dt": "2024-01-01T01:00:00", "end_dt": "2024-01-02T01:00:00"}, utc("2024-02-01T00:00"))


def keys_exclusions() -> None:
    weekend = "0 0 * * 6,0"
    K("exclusions/daily_weekends_cron/asof_window_end",
      daily("2024-01-01", exclusions=[weekend]), utc("2024-01-22T00:00"))
    K("exclusions/daily_weekends_cron/end_offset_p1/asof_friday_noon",
      daily("2024-01-01", exclusions=[weekend], end_offset=1), utc("2024-01-19T12:00"))
    K("exclusions/daily_weekends_cron/end_offset_p1/asof_saturday_noon",
      daily("2024-01-01", exclusions=[weekend], end_offset=1), utc("2024-01-20T12:00"))
    K("exclusions/daily_datetimes/asof_window_end",
      daily("2024-01-01", exclusions=["2024-01-01T00:00:00", "2024-01-05T00:00:00"]), utc("2024-01-10T00:00"))
    K("exclusions/daily_datetime_unaligned_noon",
      daily("2024-01-01", exclusions=["2024-01-03T12:00:00"]), utc("2024-01-10T00:00"))
    K("exclusions/daily_mixed_cron_and_datetime",
      daily("2024-01-01", exclusions=[weekend, "2024-01-10T00:00:00"]), utc("2024-01-20T00:00"))
    K("exclusions/hourly_nights_cron",
      hourly("2024-01-01-00:00", exclusions=["0 0-5 * * *"]), utc("2024-01-02T12:00"))
    K("exclusions/daily_weekends_cron/new_york",
      daily("2024-01-01", exclusions=[weekend], timezone="America/New_York"),
      ct("America/New_York", "2024-01-22T00:00"))
    K("exclusions/weekly_first_of_month_datetime",
      weekly("2024-01-01", exclusions=["2024-02-04T00:00:00"]), utc("2024-03-01T00:00"))
    K("exclusions/daily_with_end",
      daily("2024-01-01", end="2024-01-15", exclusions=[weekend]), utc("2024-03-01T00:00"))
    # a key after an excluded tick has its own window, not one from the excluded tick on
    # (issue 10, item 5: 2024-06-01 is a Saturday, so 2024-07-01 follows an excluded tick)
    K("exclusions/monthly_saturdays_cron/chatham",
      monthly("2024-01-01", end="2025-01-01", timezone="Pacific/Chatham", exclusions=["0 0 * * 6"]),
      utc("2025-06-01T00:00"))
    K("exclusions/monthly_saturdays_cron/utc",
      monthly("2024-01-01", exclusions=["0 0 * * 6"]), utc("2025-03-01T00:00"))
    K("exclusions/daily_weekends_cron/chatham",
      daily("2024-01-01", exclusions=[weekend], timezone="Pacific/Chatham"), utc("2024-01-20T00:00"))
    K("exclusions/hourly_nights_cron/new_york_fall_back",
      hourly("2024-11-02-00:00", exclusions=["0 1-3 * * *"], timezone="America/New_York"), utc("2024-11-04T00:00"))


def keys_static_dynamic_multi() -> None:
    t = utc("2024-01-10T00:00")
    K("static/simple", static("a", "b", "c"), t)
    K("static/regions_declared_order", static("us-west-2", "eu-west-1", "us-east-1"), t)
    K("static/spaces_and_unicode", static("new york", "zürich", "東京", "emoji 🚀", " leading"), t)
    K("static/single_key", static("only"), t)
    K("static/empty", static(), t)
    K("static/date_like_unordered", static("2024-01-02", "2024-01-01"), t)
    K("static/pipe_comma_brackets_allowed_outside_multi", static("a|b", "c,d", "[e]"), t)
    K("static/empty_string_key", static("", "x"), t)
    K("dynamic/simple", dynamic("customers", "acme", "globex", "initech"), t)
    K("dynamic/empty", dynamic("customers"), t)
    K("dynamic/duplicates_in_store", dynamic("customers", "a", "b", "a", "c", "b"), t)
    K("dynamic/unicode", dynamic("cities", "zürich", "東京"), t)
    K("multi/static_x_static", multi(abc=static("a", "b", "c"), xyz=static("x", "y", "z")), t)
    K("multi/static_x_static/declared_reverse", multi(xyz=static("x", "y", "z"), abc=static("a", "b", "c")), t)
    K("multi/daily_x_static", multi(date=daily("2024-01-07"), abc=static("a", "b", "c")), t)
    K("multi/daily_x_static/region_declared_first",
      multi(region=static("us", "eu"), date=daily("2024-01-07")), t)
    K("multi/daily_x_static/dim_names_sort_upper_lower",
      multi(b_dim=static("x", "y"), B_dim=daily("2024-01-08")), t)
    K("multi/dynamic_x_static", multi(customer=dynamic("customers", "acme", "globex"), tier=static("gold", "silver")), t)
    K("multi/dynamic_empty_x_static", multi(customer=dynamic("nobody"), tier=static("gold", "silver")), t)
    K("multi/weekly_x_static", multi(week=weekly("2023-12-01"), ab=static("a", "b")), t)
    K("multi/hourly_ny_fall_x_static",
      multi(hour=hourly("2024-11-03-00:00", timezone="America/New_York"), ab=static("a", "b")),
      ct("America/New_York", "2024-11-03T03:00"))
    K("multi/static_empty_x_static", multi(a=static(), b=static("x")), t)


def keys_invalid() -> None:
    t = utc("2024-01-10T00:00")
    K("invalid/daily_start_not_matching_fmt", daily("2024/01/01"), t)
    K("invalid/hourly_start_date_only_default_fmt", hourly("2021-05-05"), t)
    K("invalid/daily_end_not_matching_fmt", daily("2024-01-01", end="01.02.2024"), t)
    K("questionable/weekly_day_offset_7", weekly("2024-01-01", day_offset=7), t)
    K("invalid/weekly_day_offset_8", weekly("2024-01-01", day_offset=8), t)
    K("questionable/monthly_day_offset_0", monthly("2023-01-01", day_offset=0), t)
    K("invalid/monthly_day_offset_32", monthly("2023-01-01", day_offset=32), t)
    K("invalid/daily_hour_offset_24", daily("2024-01-01", hour_offset=24), t)
    K("invalid/hourly_minute_offset_60", hourly("2024-01-01-00:00", minute_offset=60), t)
    K("invalid/daily_negative_hour_offset", daily("2024-01-01", hour_offset=-1), t)
    K("invalid/cron_six_fields", cron("0 0 0 * * *", "2024-01-01", "%Y-%m-%d"), t)
    K("invalid/cron_feb_30", cron("0 0 30 2 *", "2024-01-01", "%Y-%m-%d"), t)
    K("invalid/cron_garbage", cron("every day", "2024-01-01", "%Y-%m-%d"), t)
    K("invalid/unknown_timezone", daily("2024-01-01", timezone="Mars/Olympus_Mons"), t)
    K("questionable/end_before_start", daily("2024-01-05", end="2024-01-01"), t)
    K("invalid/static_duplicate_keys", static("a", "b", "a"), t)
    K("invalid/static_key_with_range_dots", static("a", "b...c"), t)
    K("invalid/static_key_with_newline", static("a", "b\nc"), t)
    K("invalid/static_key_with_tab", static("a\tb"), t)
    K("invalid/static_key_with_nul", static("a\u0000b"), t)
    K("questionable/dynamic_key_with_range_dots_store_stub", dynamic("d", "a...b"), t)
    K("invalid/multi_one_dimension", multi(abc=static("a", "b")), t)
    K("invalid/multi_three_dimensions", multi(a=static("1"), b=static("2"), c=static("3")), t)
    K("invalid/multi_static_key_with_pipe", multi(abc=static("a|b", "c"), xyz=static("x")), t)
    K("invalid/multi_static_key_with_comma", multi(abc=static("a,b"), xyz=static("x")), t)
    K("invalid/multi_static_key_with_brackets", multi(abc=static("[a]"), xyz=static("x")), t)
    K("invalid/multi_nested_multi", multi(a=multi(x=static("1"), y=static("2")), b=static("3")), t)
    K("questionable/multi_two_time_dimensions", multi(d1=daily("2024-01-07"), d2=daily("2024-01-08")), t)


def keys_ref5() -> None:
    """Section 5, items 1-16, of the semantics reference (12 and part of 14 test has_partition_key /
    get_partition_keys_in_range, which the oracle does not expose; they are not ported)."""
    d = daily("2021-05-05")
    K("ref5/01/daily/asof_0507_0000", d, utc("2021-05-07T00:00"))
    for hm in ("00:00", "00:01", "23:59"):
        K(f"ref5/01/daily/asof_0506_{hm.replace(':', '')}", d, utc(f"2021-05-06T{hm}"))
    K("ref5/02/daily/end_offset_p2", daily("2021-05-05", end_offset=2), utc("2021-05-07T00:00"))
    K("ref5/02/daily/end_offset_m2", daily("2021-05-01", end_offset=-2), utc("2021-05-07T00:00"))
    for eo in (0, 1, 2):
        K(f"ref5/03/daily/end_offset_p{eo}", daily("2021-01-01", end_offset=eo), utc("2021-01-06T01:20"))
    K("ref5/03/daily/leap_2020", daily("2020-02-28"), utc("2020-03-03T00:00"))
    K("ref5/04/daily_minute_offset_15", daily("2021-05-05", minute_offset=15), utc("2021-05-07T00:00"))
    K("ref5/05/monthly/end_offset_p0", monthly("2021-01-01"), utc("2021-03-01T01:20"))
    K("ref5/05/monthly/end_offset_p1", monthly("2021-01-01", end_offset=1), utc("2021-03-01T01:20"))
    K("ref5/05/monthly/end_offset_m1", monthly("2021-01-01", end_offset=-1), utc("2021-03-27T00:00"))
    K("ref5/05/monthly/start_0103_empty", monthly("2021-01-03"), utc("2021-01-31T00:00"))
    K("ref5/06/monthly_d12_h3_m15",
      monthly("2021-05-01", minute_offset=15, hour_offset=3, day_offset=12), utc("2021-07-13T00:00"))
    K("ref5/07/weekly/end_offset_p0", weekly("2021-01-01"), utc("2021-01-31T01:20"))
    K("ref5/07/weekly/end_offset_p1", weekly("2021-01-01", end_offset=1), utc("2021-01-31T01:20"))
    K("ref5/07/weekly/end_offset_m2", weekly("2021-01-01", end_offset=-2), utc("2021-01-24T01:20"))
    K("ref5/07/weekly_d3_h4_m15",
      weekly("2021-05-01", minute_offset=15, hour_offset=4, day_offset=3), utc("2021-05-20T00:00"))
    K("ref5/08/hourly/end_offset_p0", hourly("2021-01-01-00:00"), utc("2021-01-01T04:01"))
    K("ref5/08/hourly/end_offset_m1", hourly("2021-01-01-00:00", end_offset=-1), utc("2021-01-01T03:30"))
    K("ref5/08/hourly/start_0002_empty", hourly("2021-01-01-00:02"), utc("2021-01-01T00:59"))
    K("ref5/08/hourly_minute_offset_15", hourly("2021-05-05-01:00", minute_offset=15), utc("2021-05-05T03:30"))
    K("ref5/09/hourly_us_central/spring",
      hourly("2021-03-14-01:00", timezone="US/Central"), ct("US/Central", "2021-03-14T04:01"))
    K("ref5/09/hourly_us_central/fall",
      hourly("2021-11-07-00:00", timezone="US/Central"), ct("US/Central", "2021-11-07T04:01"))
    K("ref5/09/hourly_with_z_fmt/us_pacific_fall",
      hourly("2020-11-01-00:00:00-0700", fmt="%Y-%m-%d-%H:%M:%S%z", timezone="US/Pacific",
             end="2020-11-01-03:00:00-0800"), utc("2021-01-01T00:00"))
    K("ref5/10/every_15min_us_pacific_fall",
      cron("*/15 * * * *", "2020-11-01-00:30", "%Y-%m-%d-%H:%M", timezone="US/Pacific", end="2020-11-01-2:30"),
      utc("2021-01-01T00:00"))
    K("ref5/11/hourly_us_pacific_fall",
      hourly("2020-10-31-23:00", timezone="US/Pacific", end="2020-11-01-5:00"), utc("2021-01-01T00:00"))
    K("ref5/13/daily_h1_fmt_HM_us_pacific",
      daily("2020-10-30-01:00", hour_offset=1, fmt="%Y-%m-%d-%H:%M", timezone="US/Pacific", end="2020-11-03-01:00"),
      utc("2021-01-01T00:00"))
    K("ref5/14/hourly_end_jan_2022", hourly("2022-01-01-00:00", end="2022-02-01-00:00"), utc("2023-01-01T00:00"))
    K("ref5/14/daily_end_jan_2022", daily("2022-01-01", end="2022-02-01"), utc("2023-01-01T00:00"))
    K("ref5/14/weekly_end_jan_2022", weekly("2022-01-01", end="2022-02-01"), utc("2023-01-01T00:00"))
    K("ref5/14/monthly_2022", monthly("2022-01-01", end="2023-01-01"), utc("2024-01-01T00:00"))
    K("ref5/15/cron_0700", cron("0 7 * * *", "2021-05-05-00:00", "%Y-%m-%d-%H:%M"), utc("2021-05-08T00:00"))
    for label, now in (("asof_0113_1200", "2023-01-13T12:00"), ("asof_0114_0000", "2023-01-14T00:00"),
                       ("asof_0114_1200", "2023-01-14T12:00")):
        K(f"ref5/16/daily_end_offset_p1/{label}", daily("2023-01-15", end_offset=1), utc(now))
    K("ref5/27/multi_static_x_static", multi(abc=static("a", "b", "c"), xyz=static("x", "y", "z")),
      utc("2024-01-01T00:00"))
    K("ref5/27/multi_daily_x_static", multi(date=daily("2021-05-05"), abc=static("a", "b", "c")),
      utc("2021-05-07T00:00"))


# ==========================================================================================
# MAPPING CASES
# ==========================================================================================
RNG = random.Random(SEED)


def input_sets(keys: list[str]) -> dict[str, list[str]]:
    """Named input key sets drawn (seeded) from a candidate list of at least 8 keys."""
    n = len(keys)
    i = RNG.randrange(1, n - 1)
    a = RNG.randrange(0, n - 5)
    run = keys[a:a + RNG.randrange(3, 5)]
    gaps = sorted(RNG.sample(range(n), 4))
    unordered = [keys[j] for j in RNG.sample(range(n), 4)]
    return {
        "single": [keys[i]],
        "run": run,
        "run_with_gaps": [keys[j] for j in gaps],
        "duplicates": [keys[i], keys[i], keys[min(i + 1, n - 1)], keys[i]],
        "unordered": unordered,
    }


NOW = "2024-03-15T12:00:00Z"
D = daily("2024-01-01")
H = hourly("2024-03-01-00:00")
W = weekly("2024-01-01")
M = monthly("2024-01-01")
D_KEYS = day_keys("2024-01-01", 74)          # 2024-01-01 .. 2024-03-14 (existing as of NOW)
H_KEYS = hour_keys("2024-03-01T00:00", 348)   # 2024-03-01-00:00 .. 2024-03-15-11:00


def maps_identity() -> None:
    sets = input_sets(D_KEYS)
    for name, ks in sets.items():
        BOTH(f"identity/daily_same_def/{name}", D, D, {"type": "identity"}, ks, ks, NOW)
    s1, s2 = static("a", "b", "c"), static("a", "b", "c")
    BOTH("identity/static_equal_defs", s1, s2, {"type": "identity"}, ["c", "a"], ["b"], NOW)
    up, down = static("a", "b", "c"), static("b", "c", "d")
    BOTH("identity/static_different_keys", up, down, {"type": "identity"}, ["b", "d"], ["a", "c"], NOW)
    BOTH("identity/static_different_keys/unknown_input_key", up, down, {"type": "identity"}, ["zz"], ["zz"], NOW)
    BOTH("identity/static_same_keys_other_order", static("a", "b", "c"), static("c", "b", "a"),
         {"type": "identity"}, ["a", "b"], ["a", "b"], NOW)
    dyn = dynamic("customers", "acme", "globex")
    BOTH("identity/dynamic_same", dyn, dyn, {"type": "identity"}, ["globex"], ["acme"], NOW)
    dyn_dup = dynamic("dups", "a", "b", "a", "c")
    BOTH("identity/dynamic_duplicates_in_store", dyn_dup, dyn_dup, {"type": "identity"}, ["a", "c", "a"], ["a"], NOW)
    BOTH("all/dynamic_duplicates_in_store", dyn_dup, dyn_dup, {"type": "all"}, ["b"], ["b"], NOW)
    BOTH("identity/daily_vs_daily_later_start", daily("2024-02-01"), D, {"type": "identity"},
         ["2024-01-15", "2024-02-10"], ["2024-02-10"], NOW)
    BOTH("identity/hourly_vs_daily", H, D, {"type": "identity"}, ["2024-03-02"], ["2024-03-02-00:00"], NOW)
    BOTH("identity/static_vs_daily_class_mismatch", static("2024-01-01", "x"), D, {"type": "identity"},
         ["2024-01-01"], ["2024-01-01"], NOW)
    for name in ("duplicates", "unordered"):
        ks = {"duplicates": ["b", "a", "b"], "unordered": ["c", "a", "b"]}[name]
        BOTH(f"identity/static_same_def/{name}", s1, s1, {"type": "identity"}, ks, ks, NOW)


def maps_time_window_offsets() -> None:
    offsets = [(-1, -1), (-7, 0), (-6, 0), (-3, -1), (-1, 0), (0, 1), (0, 2), (-2, 2), (1, 1), (-7, -7)]
    positions = {
        "first_key": ["2024-01-01"],
        "last_key": ["2024-03-14"],
        "run_with_gap": ["2024-01-10", "2024-01-11", "2024-01-12", "2024-01-20"],
    }
    for so, eo in offsets:
        lab = f"so{'m' if so < 0 else 'p'}{abs(so)}_eo{'m' if eo < 0 else 'p'}{abs(eo)}"
        for pos, ks in positions.items():
            BOTH(f"time_window/daily_daily/{lab}/{pos}", D, D, tw(so, eo), ks, ks, NOW)
    # beyond the last existing key (time-window subsets drop it on input)
    BOTH("time_window/daily_daily/zero/beyond_last_key", D, D, tw(), ["2024-03-15", "2024-03-20"],
         ["2024-03-15"], NOW)
    # downstream shows the in-progress day (end_offset=1): its upstream day is not complete yet
    d_eo1 = daily("2024-01-01", end_offset=1)
    for allow in (False, True):
        for so, eo in ((0, 0), (-1, 0), (0, 1)):
            lab = f"so{'m' if so < 0 else 'p'}{abs(so)}_eo{'m' if eo < 0 else 'p'}{abs(eo)}"
            UP(f"time_window/daily_to_daily_end_offset_p1/{lab}/allow_{str(allow).lower()}/in_progress_day",
               D, d_eo1, tw(so, eo, allow), ["2024-03-14", "2024-03-15"], NOW)
    # upstream starting later than downstream
    d_late = daily("2024-02-01")
    for allow in (False, True):
        for so, eo in ((0, 0), (-1, -1)):
            lab = f"so{'m' if so < 0 else 'p'}{abs(so)}_eo{'m' if eo < 0 else 'p'}{abs(eo)}"
            UP(f"time_window/upstream_starts_later/{lab}/allow_{str(allow).lower()}",
               d_late, D, tw(so, eo, allow), ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"], NOW)
        DOWN(f"time_window/upstream_starts_later/allow_{str(allow).lower()}",
             d_late, D, tw(0, 0, allow), ["2024-02-01", "2024-02-02"], NOW)
    # downstream starting later than upstream
    BOTH("time_window/downstream_starts_later/lag_m1", D, daily("2024-02-01"), tw(-1, -1),
         ["2024-02-01"], ["2024-01-31", "2024-02-01"], NOW)
    # downstream with an end, upstream without
    BOTH("time_window/downstream_has_end", D, daily("2024-01-01", end="2024-02-01"), tw(0, 1),
         ["2024-01-31"], ["2024-01-31", "2024-02-01"], NOW)
    # mapping with start_offset > end_offset
    BOTH("time_window/start_offset_after_end_offset", D, D, tw(1, -1), ["2024-02-10"], ["2024-02-10"], NOW)


def maps_cross_cadence() -> None:
    C11 = cron("0 11 * * *", "2024-01-01-00:00", "%Y-%m-%d-%H:%M")
    C4 = cron("0 */4 * * *", "2024-03-01_00", "%Y-%m-%d_%H")
    Y = cron("0 0 1 1 *", "2020-01-01", "%Y-%m-%d")
    Y_eo1 = cron("0 0 1 1 *", "2020-01-01", "%Y-%m-%d", end_offset=1)
    pairs = [
        # (label, upstream, downstream, [downstream input sets], [upstream input sets])
        ("hourly_up_daily_down", H, D, [["2024-03-02"], ["2024-03-01"], ["2024-03-14"], ["2024-03-03", "2024-03-05"]],
         [["2024-03-02-05:00"], ["2024-03-14-23:00"], ["2024-03-15-11:00"], ["2024-03-01-00:00", "2024-03-04-12:00"]]),
        ("daily_up_hourly_down", D, H, [["2024-03-02-05:00"], ["2024-03-15-11:00"], ["2024-03-01-00:00", "2024-03-03-23:00"]],
         [["2024-03-02"], ["2024-02-29"], ["2024-03-14"], ["2024-03-01", "2024-03-03"]]),
        ("daily_up_weekly_down", D, W, [["2024-01-07"], ["2024-03-03"], ["2024-01-14", "2024-02-04"]],
         [["2024-01-07"], ["2024-01-13"], ["2024-01-01"], ["2024-03-10"]]),
        ("weekly_up_daily_down", W, D, [["2024-01-08"], ["2024-01-01"], ["2024-03-14"]],
         [["2024-01-07"], ["2024-03-03"]]),
        ("daily_up_monthly_down", D, M, [["2024-01-01"], ["2024-02-01"], ["2024-01-01", "2024-02-01"]],
         [["2024-02-29"], ["2024-03-01"], ["2024-01-31", "2024-02-01"]]),
        ("monthly_up_daily_down", M, D, [["2024-02-29"], ["2024-03-01"]], [["2024-01-01"], ["2024-02-01"]]),
        ("daily_up_cron_0_11_down", D, C11, [["2024-03-02-11:00"], ["2024-03-14-11:00"]],
         [["2024-03-02"], ["2024-03-14"]]),
        ("cron_0_11_up_daily_down", C11, D, [["2024-03-02"], ["2024-01-01"]],
         [["2024-03-02-11:00"], ["2024-01-01-11:00"]]),
        ("weekly_up_monthly_down", W, M, [["2024-02-01"], ["2024-01-01"]], [["2024-02-04"], ["2024-03-03"]]),
        ("monthly_up_weekly_down", M, W, [["2024-02-25"], ["2024-03-03"]], [["2024-01-01"]]),
        ("daily_up_yearly_down", D, Y, [["2023-01-01"]], [["2024-01-01"]]),
        ("daily_up_yearly_eo1_down", D, Y_eo1, [["2024-01-01"]], [["2024-02-01"]]),
        ("cron_4h_up_daily_down", C4, D, [["2024-03-02"]], [["2024-03-02_20"]]),
        ("daily_up_cron_4h_down", D, C4, [["2024-03-02_04"], ["2024-03-15_04"]], [["2024-03-02"]]),
    ]
    for label, up, down, dsets, usets in pairs:
        for i, ks in enumerate(dsets):
            UP(f"cross_cadence/{label}/zero/input{i}", up, down, tw(), ks, NOW)
        for i, ks in enumerate(usets):
            DOWN(f"cross_cadence/{label}/zero/input{i}", up, down, tw(), ks, NOW)
    # offsets are in downstream units
    BOTH("cross_cadence/hourly_up_daily_down/so_m1", H, D, tw(-1, 0), ["2024-03-05"], ["2024-03-05-10:00"], NOW)
    BOTH("cross_cadence/daily_up_monthly_down/so_m1", D, M, tw(-1, 0), ["2024-02-01"], ["2024-01-15"], NOW)
    BOTH("cross_cadence/daily_up_hourly_down/lag_m1", D, H, tw(-1, -1), ["2024-03-02-00:00"], ["2024-03-02"], NOW)
    BOTH("cross_cadence/daily_up_weekly_down/lag_m1", D, W, tw(-1, -1), ["2024-01-14"], ["2024-01-10"], NOW)
    BOTH("cross_cadence/cron_4h_lag/so_m2_eo_m1", C4, C4, tw(-2, -1), ["2024-03-02_08"], ["2024-03-02_08"], NOW)
    BOTH("cross_cadence/daily_up_cron_4h_down/lag_m1", D, C4, tw(-1, -1), ["2024-03-02_00"], ["2024-03-02"], NOW)
    BOTH("cross_cadence/weekly_up_monthly_down/lag_m1", W, M, tw(-1, -1), ["2024-03-01"], ["2024-01-14"], NOW)
    BOTH("cross_cadence/daily_up_yearly_down/allow_nonexistent",
         D, Y_eo1, tw(allow=True), ["2024-01-01"], ["2024-03-01"], NOW)


def maps_dst() -> None:
    LA = "America/Los_Angeles"
    d_la = daily("2024-03-01", timezone=LA)
    h_la = hourly("2024-03-09-00:00", timezone=LA)
    now_la = ct(LA, "2024-03-12T12:00")
    BOTH("dst/los_angeles/daily_lag/2024_03_10", d_la, d_la, tw(-1, -1), ["2024-03-10"], ["2024-03-10"], now_la)
    BOTH("dst/los_angeles/hourly_lag/2024_03_10_0300", h_la, h_la, tw(-1, -1),
         ["2024-03-10-03:00"], ["2024-03-10-03:00"], now_la)
    BOTH("dst/los_angeles/hourly_up_daily_down/2024_03_10", h_la, d_la, tw(), ["2024-03-10"], ["2024-03-10-01:00"], now_la)
    BOTH("dst/los_angeles/daily_up_hourly_down/2024_03_10", d_la, h_la, tw(),
         ["2024-03-10-03:00"], ["2024-03-10"], now_la)
    h_nov = hourly("2023-11-04-00:00", timezone=LA)
    now_nov = ct(LA, "2023-11-06T00:00")
    for k in ("2023-11-05-00:00", "2023-11-05-01:00", "2023-11-05-01:00-0800", "2023-11-05-02:00"):
        BOTH(f"dst/los_angeles/hourly_lag/2023_11_05/{k[11:].replace(':', '').replace('-', 'm')}",
             h_nov, h_nov, tw(-1, -1), [k], [k], now_nov)
    d_nov = daily("2023-11-01", timezone=LA)
    BOTH("dst/los_angeles/hourly_up_daily_down/2023_11_05", h_nov, d_nov, tw(), ["2023-11-05"],
         ["2023-11-05-01:00-0800"], now_nov)
    BER = "Europe/Berlin"
    for label, day in (("spring_2024_03_31", "2024-03-31"), ("fall_2024_10_27", "2024-10-27")):
        dd = datetime.fromisoformat(day).date()
        h_b = hourly((dd - timedelta(days=1)).isoformat() + "-00:00", timezone=BER)
        d_b = daily((dd - timedelta(days=5)).isoformat(), timezone=BER)
        now_b = ct(BER, (dd + timedelta(days=2)).isoformat() + "T00:00")
        BOTH(f"dst/berlin/hourly_up_daily_down/{label}", h_b, d_b, tw(), [day], [day + "-02:00"], now_b)
        BOTH(f"dst/berlin/daily_lag/{label}", d_b, d_b, tw(-1, -1), [day], [day], now_b)
        BOTH(f"dst/berlin/hourly_up_daily_down_so_m1/{label}", h_b, d_b, tw(-1, 0),
             [(dd + timedelta(days=1)).isoformat()], [day + "-01:00"], now_b)
    LH = "Australia/Lord_Howe"
    for p in dst_points(LH, 2024):
        day = p["date"].isoformat()
        h_l = hourly((p["date"] - timedelta(days=1)).isoformat() + "-00:00", timezone=LH)
        d_l = daily((p["date"] - timedelta(days=5)).isoformat(), timezone=LH)
        now_l = ct(LH, (p["date"] + timedelta(days=2)).isoformat() + "T00:00")
        BOTH(f"dst/lord_howe/hourly_up_daily_down/{p['kind']}", h_l, d_l, tw(), [day], [day + "-01:00"], now_l)
        BOTH(f"dst/lord_howe/hourly_lag/{p['kind']}", h_l, h_l, tw(-1, -1),
             [day + "-02:00", day + "-03:00"], [day + "-01:00"], now_l)


def maps_tz_mismatch() -> None:
    ny = daily("2024-01-01", timezone="America/New_York")
    BOTH("tz_mismatch/daily_utc_up_ny_down/time_window", D, ny, tw(), ["2024-02-01"], ["2024-02-01"], NOW)
    BOTH("tz_mismatch/daily_utc_up_ny_down/default", D, ny, None, ["2024-02-01"], ["2024-02-01"], NOW)
    BOTH("tz_mismatch/daily_utc_up_ny_down/identity", D, ny, {"type": "identity"}, ["2024-02-01"], ["2024-02-01"], NOW)
    hb = hourly("2024-03-01-00:00", timezone="Europe/Berlin")
    BOTH("tz_mismatch/hourly_berlin_up_daily_utc_down/time_window", hb, D, tw(), ["2024-03-02"],
         ["2024-03-02-05:00"], NOW)
    BOTH("tz_mismatch/daily_kolkata_up_daily_utc_down/all", daily("2024-01-01", timezone="Asia/Kolkata"), D,
         {"type": "all"}, ["2024-02-01"], ["2024-02-01"], NOW)


def maps_all_last_specific() -> None:
    st = static("a", "b", "c")
    for mname, m in (("all", {"type": "all"}), ("last", {"type": "last"})):
        BOTH(f"{mname}/daily_up_daily_down", D, D, m, ["2024-02-01"], ["2024-03-14"], NOW)
        DOWN(f"{mname}/daily_up_daily_down/not_last_key", D, D, m, ["2024-02-01"], NOW)
        BOTH(f"{mname}/daily_up_daily_down/empty_input", D, D, m, [], [], NOW)
        BOTH(f"{mname}/static_up_daily_down", st, D, m, ["2024-03-01"], ["c"], NOW)
        DOWN(f"{mname}/static_up_daily_down/not_last_key", st, D, m, ["a"], NOW)
        BOTH(f"{mname}/daily_up_static_down", D, st, m, ["b"], ["2024-03-14"], NOW)
        BOTH(f"{mname}/hourly_up_weekly_down", H, W, m, ["2024-03-03"], ["2024-03-15-11:00"], NOW)
        BOTH(f"{mname}/multi_up_static_down", multi(abc=st, xyz=static("x", "y")), static("p", "q"), m,
             ["q"], ["c|y"], NOW)
        BOTH(f"{mname}/dynamic_empty_up_static_down", dynamic("nobody"), st, m, ["a"], [], NOW)
    BOTH("last/daily_up_daily_down/empty_upstream_as_of", daily("2024-03-15"), D, {"type": "last"},
         ["2024-03-01"], [], NOW)
    spec = {"type": "specific", "keys": ["2024-01-05", "2024-01-06"]}
    BOTH("specific/daily_up_static_down", D, st, spec, ["a"], ["2024-01-06"], NOW)
    DOWN("specific/daily_up_static_down/input_not_listed", D, st, spec, ["2024-01-07"], NOW)
    spec_bad = {"type": "specific", "keys": ["2099-01-01", "not-a-date"]}
    BOTH("specific/keys_not_in_upstream/daily_up", D, st, spec_bad, ["a"], ["2024-01-07"], NOW)
    spec_future = {"type": "specific", "keys": ["2024-01-05", "2099-01-01"]}
    BOTH("specific/key_after_upstream_range/daily_up", D, st, spec_future, ["a"], ["2024-01-05"], NOW)
    spec_s = {"type": "specific", "keys": ["b", "zz"]}
    BOTH("specific/static_up_static_down/with_unknown_key", st, static("p", "q"), spec_s, ["q"], ["b"], NOW)
    BOTH("specific/dynamic_up_static_down", dynamic("customers", "acme", "globex"), st,
         {"type": "specific", "keys": ["acme"]}, ["a"], ["acme"], NOW)
    BOTH("specific/empty_keys_list", D, st, {"type": "specific", "keys": []}, ["a"], ["2024-01-06"], NOW)


def maps_static() -> None:
    up = static("p1", "p2", "p3", "q1", "q2", "r1")
    down = static("p", "q", "r")
    many_to_one = {"type": "static", "map": {"p1": "p", "p2": "p", "p3": "p", "q1": "q", "q2": "q", "r1": "r"}}
    BOTH("static/many_to_one", up, down, many_to_one, ["p", "r"], ["p1", "q2"], NOW)
    BOTH("static/many_to_one/unknown_input_key", up, down, many_to_one, ["zz"], ["zz"], NOW)
    one_to_many = {"type": "static", "map": {"p1": ["p", "q"], "q1": "q", "r1": ["r", "p"]}}
    BOTH("static/many_to_many", up, down, one_to_many, ["p"], ["p1", "r1"], NOW)
    BOTH("static/many_to_many/unmapped_upstream_key", up, down, one_to_many, ["r"], ["p2", "q2"], NOW)
    BOTH("static/map_source_not_in_upstream", up, down, {"type": "static", "map": {"p1": "p", "x9": "q"}},
         ["p"], ["p1"], NOW)
    BOTH("static/map_target_not_in_downstream", up, down, {"type": "static", "map": {"p1": "p", "q1": "zz"}},
         ["p"], ["p1"], NOW)
    BOTH("static/daily_up_static_down_rejected", D, down, {"type": "static", "map": {"2024-01-01": "p"}},
         ["p"], ["2024-01-01"], NOW)
    BOTH("static/empty_map", up, down, {"type": "static", "map": {}}, ["p"], ["p1"], NOW)


def maps_multi_to_single() -> None:
    st = static("a", "b", "c")
    md = multi(date=daily("2024-03-01"), abc=st)
    d3 = daily("2024-03-01")
    now = utc("2024-03-05T00:00")
    for dim_label, m in (("explicit_date", {"type": "multi_to_single", "dimension": "date"}),
                         ("dimension_null", {"type": "multi_to_single", "dimension": None}),
                         ("default_inference", None)):
        BOTH(f"multi_to_single/daily_up_multi_down/{dim_label}", d3, md, m,
             ["b|2024-03-02", {"abc": "c", "date": "2024-03-03"}], ["2024-03-02"], now)
        BOTH(f"multi_to_single/multi_up_daily_down/{dim_label}", md, d3, m,
             ["2024-03-02", "2024-03-03"], ["a|2024-03-02", "c|2024-03-02", "b|2024-03-04"], now)
        BOTH(f"multi_to_single/static_up_multi_down/{dim_label.replace('date', 'abc')}", st, md,
             None if m is None else {**m, **({"dimension": "abc"} if m.get("dimension") else {})},
             ["a|2024-03-01"], ["b"], now)
        BOTH(f"multi_to_single/multi_up_static_down/{dim_label.replace('date', 'abc')}", md, st,
             None if m is None else {**m, **({"dimension": "abc"} if m.get("dimension") else {})},
             ["c"], ["a|2024-03-01", "a|2024-03-02"], now)
    # a daily single side whose def differs from the multi's time dimension (other start)
    BOTH("multi_to_single/daily_other_start_up_multi_down/dimension_null", daily("2024-02-01"), md,
         {"type": "multi_to_single"}, ["a|2024-03-01"], ["2024-02-15", "2024-03-01"], now)
    # weekly dimension, daily single side (reference 3.9 example)
    mw = multi(week=weekly("2023-01-01"), ab=static("a", "b"))
    BOTH("multi_to_single/daily_up_weekly_multi_down/dimension_week", daily("2023-01-01"), mw,
         {"type": "multi_to_single", "dimension": "week"}, ["a|2023-01-08"], ["2023-01-10"], utc("2023-02-01T00:00"))
    BOTH("multi_to_single/daily_up_weekly_multi_down/default", daily("2023-01-01"), mw, None,
         ["b|2023-01-08"], ["2023-01-10"], utc("2023-02-01T00:00"))
    BOTH("multi_to_single/daily_up_multi_down/dimension_names_static_dim", d3, md,
         {"type": "multi_to_single", "dimension": "abc"}, ["a|2024-03-01"], ["2024-03-01"], now)
    BOTH("multi_to_single/unknown_dimension", d3, md, {"type": "multi_to_single", "dimension": "nope"},
         ["a|2024-03-01"], ["2024-03-01"], now)
    ms = multi(x=st, y=st)
    BOTH("multi_to_single/ambiguous_two_equal_dims/dimension_null", st, ms, {"type": "multi_to_single"},
         ["a|b"], ["a"], now)
    BOTH("multi_to_single/ambiguous_two_equal_dims/dimension_y", st, ms, {"type": "multi_to_single", "dimension": "y"},
         ["a|b"], ["a"], now)
    BOTH("multi_to_single/both_single_rejected", d3, d3, {"type": "multi_to_single", "dimension": "date"},
         ["2024-03-02"], ["2024-03-02"], now)


def maps_multi_multi() -> None:
    now = utc("2023-01-20T00:00")
    up = multi(abc=static("a", "b", "c"), weekly=weekly("2023-01-01"))
    down = multi(**{"123": static("1", "2", "3"), "daily": daily("2023-01-01")})
    m_spec = {"type": "multi", "dimensions": {
        "abc": {"dimension": "123", "mapping": {"type": "specific", "keys": ["c"]}},
        "weekly": {"dimension": "daily", "mapping": tw()}}}
    BOTH("multi_multi/renamed_dims/specific_and_time_window", up, down, m_spec,
         ["1|2023-01-01", "3|2023-01-09"], ["c|2023-01-01"], now)
    up2 = multi(abc=static("a", "b", "c"), daily=daily("2023-01-01"))
    m_all = {"type": "multi", "dimensions": {
        "abc": {"dimension": "123", "mapping": {"type": "all"}},
        "daily": {"dimension": "daily", "mapping": {"type": "identity"}}}}
    BOTH("multi_multi/renamed_dims/all_and_identity", up2, down, m_all, ["1|2023-01-01"], ["b|2023-01-03"], now)
    m_one = {"type": "multi", "dimensions": {"daily": {"dimension": "daily", "mapping": {"type": "identity"}}}}
    BOTH("multi_multi/unmapped_dimension_all_to_all", up2, down, m_one, ["2|2023-01-05"], ["a|2023-01-05"], now)
    m_lag = {"type": "multi", "dimensions": {
        "abc": {"dimension": "123", "mapping": {"type": "static", "map": {"a": "1", "b": "2", "c": "3"}}},
        "daily": {"dimension": "daily", "mapping": tw(-1, -1)}}}
    BOTH("multi_multi/static_and_lag", up2, down, m_lag, ["1|2023-01-05", "3|2023-01-01"], ["c|2023-01-05"], now)
    # May vs June daily multi: upstream time dimension starts later (reference 5.28)
    up_june = multi(abc=static("a", "b"), date=daily("2023-06-01"))
    down_may = multi(num=static("1", "2"), date=daily("2023-05-01"))
    m_id = {"type": "multi", "dimensions": {
        "date": {"dimension": "date", "mapping": {"type": "identity"}},
        "abc": {"dimension": "num", "mapping": {"type": "static", "map": {"a": "1", "b": "2"}}}}}
    now_j = utc("2023-07-01T00:00")
    BOTH("multi_multi/upstream_time_dim_later/identity", up_june, down_may, m_id,
         [{"date": "2023-05-01", "num": "1"}], ["a|2023-06-01"], now_j)
    m_tw = {"type": "multi", "dimensions": {
        "date": {"dimension": "date", "mapping": tw()},
        "abc": {"dimension": "num", "mapping": {"type": "static", "map": {"a": "1", "b": "2"}}}}}
    BOTH("multi_multi/upstream_time_dim_later/time_window", up_june, down_may, m_tw,
         [{"date": "2023-05-01", "num": "1"}, {"date": "2023-06-02", "num": "2"}], ["b|2023-06-03"], now_j)
    BOTH("multi_multi/unknown_dimension_name", up2, down, {"type": "multi", "dimensions": {
        "nope": {"dimension": "daily", "mapping": {"type": "identity"}}}}, ["1|2023-01-05"], ["a|2023-01-05"], now)
    BOTH("multi_multi/same_def_identity", up2, up2, {"type": "identity"}, ["a|2023-01-05"], ["a|2023-01-05"], now)
    BOTH("multi_multi/same_def_default", up2, up2, None, ["b|2023-01-05", "a|2023-01-04"], ["a|2023-01-05"], now)
    BOTH("multi_multi/different_defs_default", up2, down, None, ["1|2023-01-05"], ["a|2023-01-05"], now)
    # multi() with no dimension: all to all (issue 10, item 5)
    empty = {"type": "multi", "dimensions": {}}
    BOTH("multi_multi/empty_all_to_all", up2, up2, empty, ["b|2023-01-05"], ["a|2023-01-04"], now)
    down3 = multi(abc=static("a", "b"), daily=daily("2023-01-15"))
    BOTH("multi_multi/empty_all_to_all/different_defs", up2, down3, empty, ["b|2023-01-16"], ["c|2023-01-02"], now)


def maps_default_inference() -> None:
    now = utc("2024-01-10T00:00")
    kinds = {
        "daily": (daily("2024-01-01"), ["2024-01-03"]),
        "static": (static("a", "b", "2024-01-03"), ["2024-01-03"]),
        "dynamic": (dynamic("dyn", "a", "2024-01-03"), ["a"]),
        "multi": (multi(date=daily("2024-01-01"), abc=static("a", "b")), ["a|2024-01-03"]),
    }
    for uk, (upd, ukeys) in kinds.items():
        for dk, (downd, dkeys) in kinds.items():
            BOTH(f"default/{uk}_up_{dk}_down", upd, downd, None, dkeys, ukeys, now)
    BOTH("default/hourly_up_daily_down", hourly("2024-01-01-00:00"), daily("2024-01-01"), None,
         ["2024-01-03"], ["2024-01-03-05:00"], now)
    BOTH("default/daily_up_weekly_down_other_start", daily("2024-01-03"), weekly("2024-01-01"), None,
         ["2024-01-07"], ["2024-01-09"], utc("2024-02-01T00:00"))


def maps_inputs() -> None:
    """Input-set shapes through the basic time mappings."""
    for name, ks in input_sets(D_KEYS).items():
        BOTH(f"inputs/daily_lag_m1/{name}", D, D, tw(-1, -1), ks, ks, NOW)
    for name, ks in input_sets(H_KEYS).items():
        BOTH(f"inputs/hourly_up_daily_down/{name}", H, D, tw(),
             sorted({k[:10] for k in ks}, reverse=(name == "unordered")), ks, NOW)


def maps_ref5() -> None:
    h = hourly("2021-05-05-00:00")
    d = daily("2021-05-05")
    now = utc("2021-08-01T00:00")
    UP("ref5/17/hourly_down_to_daily_up", d, h, tw(), ["2021-05-07-05:00"], now)
    UP("ref5/17/daily_down_to_hourly_up", h, d, tw(), ["2021-05-07"], now)
    UP("ref5/17/monthly_down_to_daily_up", daily("2021-05-01"), monthly("2021-05-01"), tw(),
       ["2021-05-01", "2021-06-01", "2021-07-01"], now)
    UP("ref5/18/daily_down_to_cron_0_11_up",
       cron("0 11 * * *", "2021-05-01", "%Y-%m-%d"), daily("2021-05-01"), tw(),
       ["2021-05-02", "2021-05-03", "2021-05-04"], utc("2021-05-06T00:00"))
    now19 = utc("2021-05-10T00:00")
    UP("ref5/19/lag/up_of_0507", d, d, tw(-1, -1), ["2021-05-07"], now19)
    UP("ref5/19/lag/up_of_first_key", d, d, tw(-1, -1), ["2021-05-05"], now19)
    DOWN("ref5/19/lag/down_of_0506", d, d, tw(-1, -1), ["2021-05-06"], now19)
    UP("ref5/19/lag/up_of_0505_to_0507", d, d, tw(-1, -1), ["2021-05-05", "2021-05-06", "2021-05-07"], now19)
    d22 = daily("2022-07-01")
    now20 = utc("2022-07-10T00:00")
    UP("ref5/20/start_offset_m1/up_of_0704", d22, d22, tw(-1, 0), ["2022-07-04"], now20)
    DOWN("ref5/20/start_offset_m1/down_of_0703", d22, d22, tw(-1, 0), ["2022-07-03"], now20)
    c4 = cron("0 */4 * * *", "2021-05-05_00", "%Y-%m-%d_%H")
    now21 = utc("2021-05-10T00:00")
    UP("ref5/21/cron_4h_lag/up_of_0506_04", c4, c4, tw(-1, -1), ["2021-05-06_04"], now21)
    DOWN("ref5/21/cron_4h_lag/down_of_0507_04_to_12", c4, c4, tw(-1, -1),
         ["2021-05-07_04", "2021-05-07_08", "2021-05-07_12"], now21)
    DOWN("ref5/22/hourly_up_daily_down/incomplete_day", h, d, tw(), ["2021-05-05-00:00"], utc("2021-05-05T01:00"))
    UP("ref5/22/daily_up_hourly_down/incomplete_day", daily("2021-05-01"), hourly("2021-05-01-00:00"), tw(),
       ["2021-06-01-00:00"], utc("2021-06-01T01:00"))
    UP("ref5/22/upstream_starts_later", daily("2022-01-01"), daily("2021-01-01"), tw(),
       ["2021-12-31"], utc("2022-02-01T00:00"))
    UP("ref5/23/yearly_eo1_down_daily_up_allow",
       daily("2023-01-01"), cron("0 0 1 1 *", "2023-01-01", "%Y-%m-%d", end_offset=1), tw(allow=True),
       ["2023-01-01"], utc("2023-01-05T00:00"))
    LA = "America/Los_Angeles"
    dla = daily("2024-03-01", timezone=LA)
    hla = hourly("2024-03-09-00:00", timezone=LA)
    now24 = ct(LA, "2024-03-12T12:00")
    BOTH("ref5/24/los_angeles/daily_2024_03_10", dla, dla, tw(-1, -1), ["2024-03-10"], ["2024-03-10"], now24)
    BOTH("ref5/24/los_angeles/hourly_2024_03_10_0300", hla, hla, tw(-1, -1),
         ["2024-03-10-03:00"], ["2024-03-10-03:00"], now24)
    hnov = hourly("2023-11-04-00:00", timezone=LA)
    chain = ["2023-11-05-00:00", "2023-11-05-01:00", "2023-11-05-01:00-0800", "2023-11-05-02:00"]
    for i, k in enumerate(chain):
        BOTH(f"ref5/24/los_angeles/nov_2023_chain/{i}", hnov, hnov, tw(-1, -1), [k], [k], ct(LA, "2023-11-06T00:00"))
    d25 = daily("2023-01-01")
    keys25 = day_keys("2023-09-27", 69) + day_keys("2023-12-21", 47)
    DOWN("ref5/25/so_m29/two_ranges", d25, d25, tw(-29, 0), keys25, utc("2024-06-01T00:00"))
    up26 = static("p1", "p2", "p3", "q1", "q2", "r1")
    down26 = static("p", "q", "r")
    m26 = {"type": "static", "map": {"p1": "p", "p2": "p", "p3": "p", "r1": "r"}}
    now26 = utc("2024-01-01T00:00")
    DOWN("ref5/26/static/down_of_p1_p3_q2_r1", up26, down26, m26, ["p1", "p3", "q2", "r1"], now26)
    UP("ref5/26/static/up_of_p_q", up26, down26, m26, ["p", "q"], now26)
    BOTH("ref5/26/static/nonexistent_key_in_map", up26, down26, {"type": "static", "map": {"p1": "p", "zz": "q"}},
         ["p"], ["p1"], now26)
    now28 = utc("2023-01-20T00:00")
    up28 = multi(abc=static("a", "b", "c"), weekly=weekly("2023-01-01"))
    down28 = multi(**{"123": static("1", "2", "3"), "daily": daily("2023-01-01")})
    UP("ref5/28/specific_and_time_window", up28, down28, {"type": "multi", "dimensions": {
        "abc": {"dimension": "123", "mapping": {"type": "specific", "keys": ["c"]}},
        "weekly": {"dimension": "daily", "mapping": tw()}}}, ["1|2023-01-01", "3|2023-01-02"], now28)
    up28b = multi(abc=static("a", "b", "c"), daily=daily("2023-01-01"))
    UP("ref5/28/all_and_identity", up28b, down28, {"type": "multi", "dimensions": {
        "abc": {"dimension": "123", "mapping": {"type": "all"}},
        "daily": {"dimension": "daily", "mapping": {"type": "identity"}}}}, ["1|2023-01-01"], now28)
    up_june = multi(time=daily("2023-06-01"), **{"123": static("1", "2", "3")})
    down_may = multi(time=daily("2023-05-01"), **{"123": static("1", "2", "3")})
    m_june = {"type": "multi", "dimensions": {
        "123": {"dimension": "123", "mapping": {"type": "identity"}},
        "time": {"dimension": "time", "mapping": tw()}}}
    UP("ref5/28/may_vs_june_nonexistent", up_june, down_may, m_june,
       [{"time": "2023-05-01", "123": "1"}, {"time": "2023-06-01", "123": "1"}], utc("2023-07-01T00:00"))
    UP("ref5/28/may_vs_june_default_mapping", up_june, down_may, None,
       [{"time": "2023-05-01", "123": "1"}, {"time": "2023-06-01", "123": "1"}], utc("2023-07-01T00:00"))


# ==========================================================================================


def write(path: Path, cases: list[dict]) -> None:
    path.write_text(json.dumps(cases, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    keys_cadences()
    keys_end_offsets()
    keys_end_given()
    keys_crons()
    keys_timezones()
    keys_calendar_edges()
    keys_fmts()
    keys_exclusions()
    keys_static_dynamic_multi()
    keys_invalid()
    keys_ref5()
    maps_identity()
    maps_time_window_offsets()
    maps_cross_cadence()
    maps_dst()
    maps_tz_mismatch()
    maps_all_last_specific()
    maps_static()
    maps_multi_to_single()
    maps_multi_multi()
    maps_default_inference()
    maps_inputs()
    maps_ref5()
    write(HERE / "keys_cases.json", KEYS)
    write(HERE / "mapping_cases.json", MAPS)
    print(f"wrote {len(KEYS)} keys cases, {len(MAPS)} mapping cases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
