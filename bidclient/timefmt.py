"""Times as a bid clerk reads them: in the tender's time zone (China Standard Time, 北京时间, unless
configured otherwise), with the zone named — "2026-12-02 14:00 北京时间 (UTC+8)".

Files and the wire keep UTC; only what is shown or printed goes through here. Qt-free: the CLI, the
desktop app and the PDF forms use the same function (``format_time``).

The zone: BIDCLIENT_TIMEZONE (an IANA name such as ``Asia/Shanghai``, or ``UTC``), else ``time_zone`` in
the client configuration (~/.config/bidclient/client.json, set by ``set_display_zone``), else
Asia/Shanghai.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from bidclient.config import config_dir
from bidclient.errors import BidclientError
from bidclient.i18n import _

DEFAULT_ZONE = "Asia/Shanghai"
ZONE_ENV = "BIDCLIENT_TIMEZONE"
# China has kept UTC+8 all year since 1991: a fixed offset is exact where no tz database is installed.
_CHINA = timezone(timedelta(hours=8))
_FIXED = {"Asia/Shanghai": _CHINA, "PRC": _CHINA, "Asia/Chongqing": _CHINA, "Asia/Harbin": _CHINA,
          "UTC": UTC, "Etc/UTC": UTC}


class TimeZoneError(BidclientError):
    code = "config.unknown_time_zone"


def _config_path() -> Path:
    return config_dir() / "client.json"


def _read_config() -> dict[str, Any]:
    try:
        data = json.loads(_config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def zone_by_name(name: str) -> tzinfo:
    """The zone with this IANA name; raises TimeZoneError (config.unknown_time_zone) if there is none."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ImportError, ValueError, OSError, KeyError):  # KeyError: ZoneInfoNotFoundError
        if name in _FIXED:
            return _FIXED[name]
        raise TimeZoneError(f"unknown time zone {name!r}: give an IANA name such as Asia/Shanghai or UTC") \
            from None


def display_zone_name() -> str:
    """The configured zone's IANA name (an unknown one in the configuration falls back to the default)."""
    for name in (os.environ.get(ZONE_ENV, ""), str(_read_config().get("time_zone") or "")):
        if name:
            try:
                zone_by_name(name)
            except TimeZoneError:
                continue
            return name
    return DEFAULT_ZONE


def display_zone() -> tzinfo:
    return zone_by_name(display_zone_name())


def set_display_zone(name: str) -> None:
    """Remember ``name`` as the zone to show times in (client.json; checked first)."""
    zone_by_name(name)
    from bidclient.atomic import write_atomically

    config = _read_config()
    config["time_zone"] = name
    _config_path().parent.mkdir(parents=True, exist_ok=True)
    write_atomically(_config_path(), json.dumps(config, indent=2).encode("utf-8"), overwrite=True)


def _offset(value: datetime) -> str:
    delta = value.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(value: datetime, name: str) -> str:
    """How the zone is named after a time: "北京时间 (UTC+8)", "UTC", "Asia/Tokyo (UTC+9)"."""
    if name in ("UTC", "Etc/UTC"):
        return "UTC"
    if value.utcoffset() == timedelta(hours=8) and name in ("Asia/Shanghai", "PRC", "Asia/Chongqing",
                                                            "Asia/Harbin"):
        return _("Beijing time") + f" ({_offset(value)})"
    return f"{name} ({_offset(value)})"


def to_display(value: datetime, zone: str | None = None) -> datetime:
    """``value`` (aware; a naive one is taken as UTC) in the display zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_by_name(zone) if zone else display_zone())


def format_time(value: datetime, *, seconds: bool = False, zone: str | None = None, named: bool = True) -> str:
    """``value`` in the display zone (or ``zone``), zone named: "2026-12-02 14:00 北京时间 (UTC+8)".
    ``named=False`` leaves the zone out, for a column whose header names it (``current_zone_label``)."""
    name = zone or display_zone_name()
    local = to_display(value, name)
    stamp = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{stamp} {zone_label(local, name)}" if named else stamp


def current_zone_label(zone: str | None = None) -> str:
    """The display zone's name as shown after a time now ("北京时间 (UTC+8)"), for a column header."""
    name = zone or display_zone_name()
    return zone_label(to_display(datetime.now(UTC), name), name)


def format_date(value: datetime, *, zone: str | None = None) -> str:
    """Only the day, in the display zone (a certificate's last day, for instance)."""
    return to_display(value, zone).strftime("%Y-%m-%d")
