"""Times as a clerk reads them: in China Standard Time unless configured otherwise, the zone named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bidclient import timefmt
from bidclient.errors import describe

DEADLINE = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 14:00 in Beijing


@pytest.fixture(autouse=True)
def private_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv(timefmt.ZONE_ENV, raising=False)
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    return tmp_path


def test_a_utc_deadline_is_shown_in_beijing_time_with_the_zone_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert timefmt.format_time(DEADLINE) == "2026-12-02 14:00 Beijing time (UTC+8)"
    assert timefmt.format_time(DEADLINE, seconds=True) == "2026-12-02 14:00:00 Beijing time (UTC+8)"
    # The same instant given in any zone, or naive (taken as UTC), prints the same.
    assert timefmt.format_time(DEADLINE.astimezone(timezone(timedelta(hours=-5)))) == timefmt.format_time(DEADLINE)
    assert timefmt.format_time(DEADLINE.replace(tzinfo=None)) == timefmt.format_time(DEADLINE)
    # Late in the UTC evening it is already the next day in Beijing: the date follows.
    assert timefmt.format_time(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)).startswith("2027-01-01 01:30")
    monkeypatch.setenv("BIDCLIENT_LANG", "zh_CN")
    assert timefmt.format_time(DEADLINE) == "2026-12-02 14:00 北京时间 (UTC+8)"


def test_the_zone_is_configurable(monkeypatch: pytest.MonkeyPatch, private_config: Path) -> None:
    timefmt.set_display_zone("UTC")
    assert (private_config / "bidclient" / "client.json").is_file()
    assert timefmt.format_time(DEADLINE) == "2026-12-02 06:00 UTC"
    monkeypatch.setenv(timefmt.ZONE_ENV, "Asia/Tokyo")  # the environment wins over the configuration
    assert timefmt.format_time(DEADLINE) == "2026-12-02 15:00 Asia/Tokyo (UTC+9)"
    monkeypatch.setenv(timefmt.ZONE_ENV, "Asia/Kolkata")
    assert timefmt.format_time(DEADLINE) == "2026-12-02 11:30 Asia/Kolkata (UTC+5:30)"


def test_an_unknown_zone_is_a_clear_error_and_changes_nothing(private_config: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(timefmt.TimeZoneError) as raised:
        timefmt.set_display_zone("Mars/Olympus")
    message = describe(raised.value)
    assert message.code == "config.unknown_time_zone" and "Asia/Shanghai" in message.hint
    assert not (private_config / "bidclient" / "client.json").exists()
    monkeypatch.setenv(timefmt.ZONE_ENV, "Mars/Olympus")  # a bad setting falls back, never crashes a display
    assert timefmt.format_time(DEADLINE).endswith("Beijing time (UTC+8)")
