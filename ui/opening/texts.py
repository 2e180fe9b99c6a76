"""The Opening workspace's wording for the opening's states, the bids' decryption phases and the countdown,
translated at call time (context "Opening"), so a language switch re-reads them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from bidclient.opening_host import BidPhase, BidRow, Countdown, CountdownTarget, RemedyProgress


def state_text(state: str) -> str:
    return {
        "scheduled": QCoreApplication.translate("Opening",
                                                "Scheduled: bidders check in; the host locks at the deadline"),
        "locked": QCoreApplication.translate("Opening", "Locked and counted: waiting for the opening time"),
        "no_opening": QCoreApplication.translate("Opening",
                                                 "No opening: fewer than 3 bids (招标投标法实施条例 Art. 44)"),
        "decrypting": QCoreApplication.translate("Opening", "Decryption window open"),
        "announced": QCoreApplication.translate("Opening", "Announced (唱标)"),
        "record_drafted": QCoreApplication.translate("Opening", "Record drafted: the host signs it"),
        "host_signed": QCoreApplication.translate("Opening", "Signed by the host: the supervisor signs it"),
        "signed": QCoreApplication.translate("Opening", "Record signed: the host publishes it"),
        "published": QCoreApplication.translate("Opening", "Record published"),
    }.get(state, state)


def phase_text(row: BidRow) -> str:
    phase = row.phase
    if phase in (BidPhase.REMEDY, BidPhase.REMEDY_READY) and row.remedy is not None:
        return remedy_text(row.remedy)
    return {
        BidPhase.AWAITING_KEY: QCoreApplication.translate("Opening", "Waiting for the bidder's key"),
        BidPhase.KEY_RELEASED: QCoreApplication.translate("Opening", "Key released: ready to open"),
        BidPhase.REMEDY: QCoreApplication.translate("Opening", "Remedy in progress"),
        BidPhase.REMEDY_READY: QCoreApplication.translate("Opening", "Remedy: enough partial results, ready to open"),
        BidPhase.OPENED: QCoreApplication.translate("Opening", "Opened and verified"),
        BidPhase.REMEDIED: QCoreApplication.translate("Opening", "Opened by the committee (补救方案)"),
        BidPhase.FAILED: QCoreApplication.translate("Opening", "Failed: the bidder may retry in the window"),
        BidPhase.REVOKED: QCoreApplication.translate("Opening", "撤销 revoked (the bidder's fault, Art. 31)"),
        BidPhase.WITHDRAWN: QCoreApplication.translate("Opening", "撤回 withdrawn (not the bidder's fault, Art. 31)"),
    }[phase]


def remedy_text(remedy: RemedyProgress) -> str:
    if remedy.partials >= remedy.threshold:
        text = QCoreApplication.translate("Opening", "Remedy: {n} of {k} partial results, ready to open")
    else:
        text = QCoreApplication.translate("Opening", "Remedy in progress: {n} of {k} partial results")
    return text.format(n=remedy.partials, k=remedy.threshold)


def countdown_label(target: CountdownTarget) -> str:
    return {
        CountdownTarget.DEADLINE: QCoreApplication.translate("Opening", "Bid deadline"),
        CountdownTarget.OPENING_TIME: QCoreApplication.translate("Opening", "Opening time"),
        CountdownTarget.WINDOW_END: QCoreApplication.translate("Opening", "Decryption window closes"),
        CountdownTarget.NONE: "",
    }[target]


# Background colours of the phases in the bid table (light, with dark text: readable on a projector too).
PHASE_COLOURS = {
    BidPhase.AWAITING_KEY: "#eeeeee",
    BidPhase.KEY_RELEASED: "#fff3c4",
    BidPhase.REMEDY: "#ffe0b2",
    BidPhase.REMEDY_READY: "#fff3c4",
    BidPhase.OPENED: "#c8e6c9",
    BidPhase.REMEDIED: "#c8e6c9",
    BidPhase.FAILED: "#ffcdd2",
    BidPhase.REVOKED: "#ffcdd2",
    BidPhase.WITHDRAWN: "#e1bee7",
}


def countdown_line(countdown: Countdown | None) -> str:
    """"Decryption window closes 15:30:00 CST — 00:12:34 left" (times in the tender's zone)."""
    from bidclient.opening_host import clock_text
    from bidclient.timefmt import format_time

    if countdown is None or countdown.target is CountdownTarget.NONE or countdown.at is None:
        return ""
    at = format_time(countdown.at, seconds=True)
    if countdown.reached:
        return QCoreApplication.translate("Opening", "{what}: {at} — reached").format(
            what=countdown_label(countdown.target), at=at)
    return QCoreApplication.translate("Opening", "{what}: {at} — {left} left").format(
        what=countdown_label(countdown.target), at=at, left=clock_text(countdown.seconds_left))
