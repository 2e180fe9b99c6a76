"""The demo's complete opening (开标, docs/opening.md), run on the demo server with the product's core services:

three demo enterprises, each with its own SoftHSM dongle, submit sealed bids to a tender whose bids are also
sealed to an opening committee's key; the committee (the agency, a trading centre clerk and a supervisor, each
with a dongle) holds its key ceremony, 2 of 3; at the opening one enterprise's dongle is faulty, so its bid
cannot be decrypted with its key, and the committee opens it instead (two partial results); then the
announcement (唱标) and the opening record, signed by the host and the supervisor, published and verified
offline with ``bidclient opening verify-record`` and pdfsig.

Every step is printed in plain words (translatable). Nothing here re-implements a flow: the ceremony is
``bidclient.committee``, the opening ``bidclient.opening``, sealing and submitting ``bidclient.sealing`` and
``bidclient.submit``. The one thing made up is the faulty dongle (``FaultyDongle``), which stands for a
broken CA dongle: its decryption returns a damaged content key.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from cryptography import x509

from bidclient import committee as committees
from bidclient import opening
from bidclient import tender_package as tp
from bidclient.api_client import ApiClient, ApiError
from bidclient.certfiles import load_certificate
from bidclient.errors import EXIT_OK, BidclientError, describe
from bidclient.i18n import _
from bidclient.interaction import Choice, Notice, Question
from bidclient.sealing import TenderTarget, seal
from bidclient.signin import connect_with_key
from bidclient.signing import load_trust
from bidclient.submit import submit_bid
from bidclient.timefmt import format_time
from crypto.identity import identity_of
from crypto.key_access import KeySession
from crypto.keys import Decrypter, KeyTransport
from crypto.pin import PinRequest, PinSource

HOST = "opener-1"  # the agency's opening staff: names the committee, hosts the opening, committee member 1
CENTRE = "centre-1"  # the trading centre's clerk: committee member 2
SUPERVISOR = "supervisor-1"  # the supervisor: signs the record, committee member 3
BIDDERS = ("ent-a", "ent-b", "ent-c")
FAULTY = "ent-c"  # whose dongle fails at the opening
COMMITTEE = (HOST, CENTRE, SUPERVISOR)
THRESHOLD = 2
OFFLINE_MEMBER = SUPERVISOR  # the member who does not take part in the remedy: k of n suffice
OPENING_TENDER_ID = "DEMO-2026-OPEN"

# What each enterprise's 开标一览表 says. Enterprise B's amount in words differs from its figures: at the
# announcement the words prevail (87号令 Art. 59).
PRICES = {
    "ent-a": ("1280000.00", "人民币壹佰贰拾捌万元整", "30"),
    "ent-b": ("1190000.00", "人民币壹佰壹拾玖万伍仟元整", "45"),
    "ent-c": ("1250000.00", "人民币壹佰贰拾伍万元整", "40"),
}

Say = Callable[[str], None]
Step = Callable[[str], None]


class DemoPerson:
    """A person at a terminal in the demo: gives the demo PIN from the PKI's PIN file when a dongle asks for it
    and answers each question with yes, saying it aloud (the Prompter of bidclient.interaction)."""

    def __init__(self, pins: PinSource, say: Say) -> None:
        self._pins = pins
        self._say = say

    def ask_pin(self, request: PinRequest) -> str | None:
        return self._pins(request)

    def confirm(self, question: Question) -> bool:
        self._say(_("asked “{question}” — yes").format(question=question.title))
        return True

    def choose(self, title: str, options: Sequence[Choice]) -> int | None:
        return 0 if options else None

    def notice(self, notice: Notice) -> None:
        self._say(notice.text)


class _DamagingDecrypter:
    """A dongle whose decryption returns a content key with one byte wrong (a hardware fault)."""

    def __init__(self, inner: Decrypter) -> None:
        self._inner = inner

    @property
    def certificate(self) -> x509.Certificate:
        return self._inner.certificate

    def decrypt_key_transport(self, encrypted_key: bytes, padding_kind: KeyTransport) -> bytes:
        key = self._inner.decrypt_key_transport(encrypted_key, padding_kind)
        return bytes([key[0] ^ 0x5A]) + key[1:]

    def exchange(self, peer_public_key: Any) -> bytes:
        secret = self._inner.exchange(peer_public_key)
        return bytes([secret[0] ^ 0x5A]) + secret[1:]


class FaultyDongle:
    """The demo's broken dongle: signs as the real one does, but its decryption gives a damaged content key.
    The client releases that key in good faith; the host's terminal finds that it does not open the bid."""

    def __init__(self, session: KeySession) -> None:
        self._session = session

    def decrypter(self, certificate: x509.Certificate | None = None) -> Decrypter:
        return _DamagingDecrypter(self._session.decrypter(certificate))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


@dataclass
class _Party:
    name: str
    key: str  # pkcs11: URI of the signing key
    encryption_key: str | None
    identity: str
    display: str
    token: str


def _parties(env: Any) -> dict[str, _Party]:
    pki = env.pki
    missing = [name for name in (*BIDDERS, *COMMITTEE) if name not in pki.parties]
    if missing:
        raise BidclientError(f"the demo PKI in {pki.directory} has no dongle for {', '.join(missing)}: it was made "
                             "before the opening demo", code="demo.pki_outdated")
    out = {}
    for name in (*BIDDERS, *COMMITTEE):
        party = pki.party(name)
        who = identity_of(load_certificate(party.signing_cert))
        out[name] = _Party(name, party.signing_uri or "", party.encryption_uri, who.key, who.display_name(),
                           party.token_label or name)
    return out


class _Opening:
    """The scenario's state: the parties, the tender, the submissions, and a way to act as each party."""

    def __init__(self, env: Any, say: Say, run: Path) -> None:
        self.env = env
        self.say = say
        self.run = run
        self.url: str = env.url
        self.parties = _parties(env)
        self.person = DemoPerson(env.pin_source, say)
        self.trust = load_trust([env.pki.trust_dir])
        self.tender_id = ""
        self.committee_id = ""
        self.bids: dict[str, Path] = {}
        self.submissions: dict[str, str] = {}

    @contextlib.contextmanager
    def as_(self, name: str) -> Iterator[tuple[opening.OpeningApi, KeySession]]:
        """Act as ``name``: its dongle (one PIN), a session with the server, the opening of the tender."""
        party = self.parties[name]
        with connect_with_key(self.url, party.key, self.person) as connected:
            yield opening.OpeningApi(connected.client, self.tender_id), connected.session

    @contextlib.contextmanager
    def member(self, name: str) -> Iterator[committees.MemberSession]:
        party = self.parties[name]
        with committees.open_member(self.url, party.key, self.person, encryption_key=party.encryption_key) as m:
            yield m


def run_opening(env: Any, step: Step, say: Say, *, bid_time: timedelta) -> int:
    """The whole opening, printing each step; EXIT_OK when the published record verified."""
    run = env.data / "openings" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run.mkdir(parents=True)
    o = _Opening(env, say, run)

    step(_("The opening's people, each with a dongle of their own"))
    roles = {"ent-a": _("bidder"), "ent-b": _("bidder"), "ent-c": _("bidder"),
             HOST: _("agency and host (主持人), committee member 1"), CENTRE: _("trading centre, committee member 2"),
             SUPERVISOR: _("supervisor (监督人), committee member 3")}
    for name, party in o.parties.items():
        say(f"{party.token:<13} {party.display} — {roles[name]}")
    _grant(env, o)

    _ceremony(o, step)
    _publish(o, step, bid_time)
    _submit(o, step)
    _wait_for_deadline(o, step)
    _lock_and_window(o, step)
    _release_and_open(o, step)
    _remedy(o, step)
    _announce(o, step)
    record = _record(o, step)
    ok = _verify(o, step, record)
    print("\n" + _("Opening demo complete: tender {tender}; files are in {dir}").format(tender=o.tender_id, dir=run),
          flush=True)
    return EXIT_OK if ok else 1


def _grant(env: Any, o: _Opening) -> None:
    """The roles the opening needs, granted by the server's administrator (bidclient-server admin grant) where a
    party does not hold them yet (a demo server made before the opening demo)."""
    from devtools.demo_env import grant_role

    needed = {HOST: ("agency", "opening_staff"), CENTRE: ("opening_staff",), SUPERVISOR: ("supervisor",)}
    for name, roles in needed.items():
        held = ApiClient(o.url).login(env.sign_with(name)).account.roles
        for role in roles:
            if role not in held:
                grant_role(env, o.parties[name].identity, role)
    o.say(_("roles on the server: the agency and host, opening staff, supervisor"))


def _ceremony(o: _Opening, step: Step) -> None:
    step(_("The agency names a {k}-of-{n} opening committee; each member deals with its own dongle").format(
        k=THRESHOLD, n=len(COMMITTEE)))
    o.tender_id = f"{OPENING_TENDER_ID}-{datetime.now(UTC):%H%M%S}"
    pki = o.env.pki
    members = [(Path(pki.party(n).signing_cert), Path(pki.party(n).encryption_cert)) for n in COMMITTEE]
    with o.member(HOST) as agency:
        made = committees.create(agency.client, tender_id=o.tender_id, threshold=THRESHOLD, members=members)
    o.committee_id = made.committee_id
    o.say(_("committee {id} named for tender {tender}; its members deal now").format(id=made.committee_id,
                                                                                      tender=o.tender_id))
    for number, name in enumerate(COMMITTEE, start=1):
        with o.member(name) as m:
            out = committees.deal(m, o.committee_id)
        o.say(_("member {n} ({who}) dealt: signed commitments and {count} encrypted shares").format(
            n=number, who=o.parties[name].display, count=len(COMMITTEE)))
    step(_("Each member checks the shares addressed to it and acknowledges: the committee key is complete"))
    for number, name in enumerate(COMMITTEE, start=1):
        with o.member(name) as m:
            out = committees.acknowledge(m, o.committee_id, o.person)
        o.say(_("member {n} acknowledged").format(n=number))
    verified = committees.verify_committee(out, trust_list=o.trust)
    o.say(_("committee {id} is complete: public key Y {key}…; no one holds its private key, any {k} members "
            "together can open a bid").format(id=verified.committee_id, key=verified.public_key.hex()[:24],
                                              k=verified.threshold))


def _publish(o: _Opening, step: Step, bid_time: timedelta) -> None:
    from devtools.demo_env import AGENCY, demo_tender_draft, tender_document

    step(_("The agency publishes the tender, sealed to the committee too (remedy allowed), and schedules the "
           "opening"))
    with o.member(HOST) as agency:
        client = agency.client
        out = committees.status(client, o.committee_id)
        deadline = (client.server_now() + bid_time).replace(microsecond=0)
        draft = demo_tender_draft(o.env.pki, deadline) | {
            "tender_id": o.tender_id,
            "opening_time": deadline.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),  # 开标 at the deadline
            "committee": committees.tender_committee(out).model_dump(mode="json"),
            "opening": {"remedy": True, "decryption_window_minutes": 30},
        }
        docs = o.run / "tender-documents"
        docs.mkdir()
        pdf = tender_document(docs / "招标文件.pdf")
        entries = [tp.document_entry(pdf)]
        definition = tp.prepare_definition(draft, entries)
        content, signature = tp.sign_definition(definition, agency.sign)
        tp.upload_documents(client, [pdf], entries)
        tp.publish(client, content, signature)
        host, supervisor = o.parties[HOST].identity, o.parties[SUPERVISOR].identity
        opening.OpeningApi(client, o.tender_id).schedule([host], [supervisor])
    assert AGENCY == HOST
    o.say(_("tender {tender} (format {format}): bid deadline and opening {deadline} by the server clock").format(
        tender=o.tender_id, format=definition.format, deadline=format_time(deadline, seconds=True)))
    o.say(_("opening scheduled: host {host}, supervisor {supervisor}").format(
        host=o.parties[HOST].display, supervisor=o.parties[SUPERVISOR].display))


def _price_forms(name: str) -> dict[str, Any]:
    total, words, days = PRICES[name]
    return {"price_schedule": {"values": {"total": total, "total_words": words, "duration_days": days,
                                          "quality": "合格", "bidder_name": name}, "lines": []}}


def _submit(o: _Opening, step: Step) -> None:
    from devtools.demo import _demo_pdf

    step(_("Three enterprises fetch the tender (agency signature and committee key checked), seal and submit "
           "their bids with their dongles, and check in"))
    for name in BIDDERS:
        party = o.parties[name]
        with o.as_(name) as (api, session):
            folder = o.run / name
            package = tp.fetch(api.client, o.tender_id, folder / "tender", trust_list=o.trust)
            bid_dir = folder / "bid"
            (bid_dir / "technical").mkdir(parents=True)
            _demo_pdf(bid_dir / "technical" / "技术方案.pdf", ["技术方案", party.display])
            target = TenderTarget(o.tender_id, package.definition.version, package.opening_certificates,
                                  package_sha256=package.package_sha256,
                                  opening_time=package.definition.opening_time)
            sealed = folder / f"{name}.bid"
            result = seal(bid_dir, sealed, session=session, target=target, forms=_price_forms(name))
            done = submit_bid(api.client, sealed, tender_id=o.tender_id, tender_version=package.definition.version,
                              bidder=party.identity, sign=_signer(session),
                              sealed_as=(result.envelope_sha256, result.envelope_size))
            opening.check_in(api, session)
        o.bids[name] = sealed
        o.submissions[name] = done.submission.id
        o.say(_("{who}: sealed to {n} certificates (opening, committee, its own), submitted {time}, receipt "
                "verified, checked in").format(who=party.display, n=len(result.recipients),
                                               time=format_time(done.receipt.time, seconds=True)))


def _signer(session: KeySession) -> Callable[[bytes], bytes]:
    from bidclient.signing import detached_signer

    return detached_signer(session.signer())


def _wait_for_deadline(o: _Opening, step: Step) -> None:
    step(_("Before the deadline nothing opens; the demo waits for the deadline by the server clock"))
    with o.as_(HOST) as (api, _session):
        try:
            api.lock()
            raise BidclientError("the server locked the opening before the bid deadline", code="demo.unexpected")
        except ApiError as error:
            o.say(f"[{error.code}] {describe(error).headline}")
        deadline = datetime.fromisoformat(api.get().deadline.replace("Z", "+00:00"))
        client = api.client
        left = (deadline - client.server_now()).total_seconds()
        if left > 0:
            o.say(_("waiting {seconds} s for the deadline {deadline}").format(
                seconds=int(left) + 1, deadline=format_time(deadline, seconds=True)))
        while client.server_now() < deadline:
            time.sleep(min(1.0, max(0.05, (deadline - client.server_now()).total_seconds())))


def _lock_and_window(o: _Opening, step: Step) -> None:
    step(_("The host locks the opening at the deadline and counts the bids; at the opening time the "
           "decryption window opens"))
    host_cert = load_certificate(Path(o.env.pki.party(HOST).encryption_cert))
    with o.as_(HOST) as (api, _session):
        locked = api.lock()
        o.say(_("locked: {n} bids counted (at least 3 are needed, 条例 Art. 44)").format(n=locked.bid_count))
        window = api.open_window([host_cert])
    o.say(_("decryption window open until {end}; released keys are encrypted to the host's certificate").format(
        end=format_time(datetime.fromisoformat(str(window.window_closes_at).replace("Z", "+00:00")),
                        seconds=True)))


def _release_and_open(o: _Opening, step: Step) -> None:
    step(_("Each enterprise releases its key with its dongle; enterprise C's dongle is faulty (simulated): "
           "its decryption gives a damaged key"))
    for name in BIDDERS:
        with o.as_(name) as (api, session):
            used = cast(KeySession, FaultyDongle(session)) if name == FAULTY else session
            out = opening.release_key(api, used, o.person, bid=o.bids[name])
        o.say(_("{who}: key released (attempt {n}), encrypted to the host").format(
            who=o.parties[name].display, n=out.attempts))
    step(_("The host's terminal opens and verifies each bid: key, GCM tag, manifest signature, the signer is "
           "the submitter, every file"))
    with o.as_(HOST) as (api, session):
        results = opening.open_released_bids(api, session, o.trust, o.run / "opened")
    _report(o, results)


def _report(o: _Opening, results: Sequence[opening.OpenedBid]) -> None:
    by_sub = {sub: name for name, sub in o.submissions.items()}
    for r in results:
        who = o.parties[by_sub[r.submission_id]].display
        if r.state == "opened":
            o.say(_("bid #{n} {who}: opened and verified").format(n=r.position, who=who))
        else:
            o.say(_("bid #{n} {who}: {state} [{code}]").format(n=r.position, who=who, state=r.state,
                                                              code=r.failure_code or "—"))


def _remedy(o: _Opening, step: Step) -> None:
    target = o.submissions[FAULTY]
    step(_("The committee remedy (补救方案): the host starts it for the bid that failed; {k} of the {n} members "
           "contribute partial results (member {offline} is offline)").format(
        k=THRESHOLD, n=len(COMMITTEE), offline=COMMITTEE.index(OFFLINE_MEMBER) + 1))
    with o.as_(HOST) as (api, _session):
        remedy = api.start_remedy(target)
    o.say(_("remedy started for bid {bid}: committee {id}, {k} partial results needed").format(
        bid=target, id=remedy.committee_id, k=remedy.threshold))
    for name in COMMITTEE:
        if name == OFFLINE_MEMBER:
            continue
        with o.member(name) as m:
            remedy = opening.contribute_partial(opening.OpeningApi(m.client, o.tender_id), m, target, o.person)
        o.say(_("{who}: key share recomputed in memory from its encrypted shares, partial result with its "
                "proof sent ({count} of {k})").format(who=o.parties[name].display, count=len(remedy.partials),
                                                      k=remedy.threshold))
    step(_("The host's terminal checks the partial results against the committee key, combines them and opens "
           "the bid, verified like any other"))
    with o.as_(HOST) as (api, session):
        results = opening.open_released_bids(api, session, o.trust, o.run / "opened")
    _report(o, results)


def _announce(o: _Opening, step: Step) -> None:
    step(_("唱标: the host announces every bid's items from its signed 开标一览表"))
    with o.as_(HOST) as (api, _session):
        out = api.announce()
    for bid in out.bids:
        a = bid.announced
        who = bid.organization or bid.identity_key
        if a is None:
            o.say(_("#{n} {who}: {outcome}").format(n=bid.position, who=who, outcome=bid.outcome or bid.state))
            continue
        remedied = _(" (opened by the committee)") if bid.remedied else ""
        o.say(_("#{n} {who}{remedied}: price {price}, duration {days} days, quality {quality}").format(
            n=bid.position, who=who, remedied=remedied, price=a.price, days=a.duration or "—",
            quality=a.quality or "—"))
        if a.price_mismatch:
            o.say("    " + _("figures {figures} and words {words} differ: the words prevail (87号令 Art. 59)").format(
                figures=a.price_figures, words=a.price_words))


def _record(o: _Opening, step: Step) -> Path:
    step(_("The opening record (开标记录表): drafted by the server, signed by the host, then by the supervisor "
           "(PAdES, visible seals), published; a bidder confirms it"))
    with o.as_(HOST) as (api, session):
        drafted = api.draft_record()
        o.say(_("record drafted, SHA-256 {sha}").format(sha=drafted.record_sha256))
        opening.sign_record(api, session, o.person)
    o.say(_("signed by the host {who}").format(who=o.parties[HOST].display))
    with o.as_(SUPERVISOR) as (api, session):
        signed = opening.sign_record(api, session, o.person)
    o.say(_("signed by the supervisor {who}; signers: {signers}").format(
        who=o.parties[SUPERVISOR].display, signers=", ".join(signed.record_signers)))
    with o.as_(HOST) as (api, _session):
        published = api.publish()
    o.say(_("published, SHA-256 {sha}").format(sha=published.record_sha256))
    record = o.run / "开标记录表.pdf"
    with o.as_("ent-a") as (api, session):
        opening.download_record(api, record)
        opening.acknowledge_record(api, session, decision="confirm")
    o.say(_("{who} downloaded the record and confirmed it with a signed statement").format(
        who=o.parties["ent-a"].display))
    return record


def _verify(o: _Opening, step: Step, record: Path) -> bool:
    step(_("Anyone verifies the record offline"))
    command = [*_bidclient_command(), "opening", "verify-record", str(record), "--trust", str(o.env.pki.trust_dir)]
    print("    $ bidclient " + " ".join(command[len(_bidclient_command()):]), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    for line in (done.stdout + done.stderr).strip().splitlines():
        o.say("  " + line)
    ok = done.returncode == 0
    if shutil.which("pdfsig"):
        checked = subprocess.run(["pdfsig", str(record)], capture_output=True, text=True, check=False)
        valid = checked.stdout.count("Signature is Valid")
        o.say(_("pdfsig: {n} valid signature(s)").format(n=valid))
        ok = ok and valid == 2
    o.say(_("the record verifies: {ok}").format(ok=_("yes") if ok else _("NO")))
    return ok


def _bidclient_command() -> list[str]:
    """The product's command line installed beside this Python, else run as a module."""
    found = shutil.which("bidclient", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "bidclient.cli.main"]

