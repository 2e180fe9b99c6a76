"""The evaluation demonstration, headless: three experts, each with a SoftHSM dongle, evaluate the demo
tender on the embedded server (``bidclient-dev demo --evaluation``, ``scripts/demo --evaluation``).

They check in and sign the recusal declaration, elect a chair, review the bids (one is excluded by the
majority), score them through their local journals, submit signed sheets; the server ranks with the rules and
the chair's client recomputes the same ranking; the report is signed by every expert in turn with their
dongle — each revision checked by the server on upload — and verified offline. Each step is printed.

The demo tender has had no opening, so the session is made the explicit way (docs/evaluation.md): the
experts and the bids, with their prices as a demo opening would announce them, are given by hand.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from bidclient.errors import EXIT_OK, describe
from bidclient.i18n import _

if TYPE_CHECKING:
    from devtools.demo_env import DemoEnvironment

EXPERT_TOKENS = ("eval-expert-2", "eval-expert-3")  # made beside the PKI's expert-1 on the first run
EXPERT_NAMES = {"eval-expert-2": "李四", "eval-expert-3": "王五"}


def _say(text: str) -> None:
    print(f"    {text}", flush=True)


def run_evaluation_demo(data: Path) -> int:
    from crypto import token_worker
    from devtools.demo import _Steps
    from devtools.demo_env import prepare

    step = _Steps()
    print(_("bidclient demonstration: a remote evaluation (远程异地评标) by three experts with their dongles."))
    step(_("Demo PKI, dongles (SoftHSM tokens) and the embedded server with a demo tender"))
    try:
        env = prepare(data, _say)
    except Exception as error:
        message = describe(error)
        print(message.render(), file=sys.stderr)
        return message.exit_status
    try:
        return _evaluation_flow(env, step)
    except Exception as error:
        message = describe(error)
        print(message.render(), file=sys.stderr)
        return message.exit_status
    finally:
        env.stop()
        token_worker.shutdown_all()


def _expert_dongles(env: DemoEnvironment) -> dict[str, str]:
    """token label -> signing key URI: the PKI's expert-1, and two more expert dongles made once (an EC key
    and a person certificate from the demo's ec-sub CA, written into a SoftHSM token of its own)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    from devtools import pki as devpki

    pki = env.pki
    uris = {"expert-1": pki.party("expert-1").signing_uri or ""}
    folder = pki.directory / "evaluation-experts"
    folder.mkdir(exist_ok=True)
    ca = pki.ca("ec-sub")
    ca_cert = x509.load_pem_x509_certificate(Path(ca.certificate).read_bytes())
    ca_key = serialization.load_pem_private_key(Path(ca.key).read_bytes(), None)
    softhsm_env = pki.softhsm_env()
    created = False
    for label in EXPERT_TOKENS:
        uris[label] = devpki._pkcs11_uri(label, "signing", pki.pin_file)
        if (folder / f"{label}.done").is_file():
            continue
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                                         x509.NameAttribute(NameOID.COMMON_NAME, EXPERT_NAMES[label])]))
                .issuer_name(ca_cert.subject).public_key(key.public_key())
                .serial_number(secrets.randbits(63) | 1 << 62)
                .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),  # type: ignore[arg-type]
                               critical=False)
                .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
        files = {"privkey": folder / f"{label}.key.pem", "pubkey": folder / f"{label}.pub.pem",
                 "cert": folder / f"{label}.cer"}
        files["privkey"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
        files["privkey"].chmod(0o600)
        files["pubkey"].write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
        files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.DER))
        commands = [["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", devpki.USER_PIN,
                     "--so-pin", devpki.SO_PIN]]
        commands += [devpki._pkcs11_tool(label, "--write-object", str(path), "--type", kind, "--id", "01",
                                         "--label", "signing", *(["--usage-sign"] if kind != "cert" else []))
                     for kind, path in files.items()]
        commands.append(devpki._pkcs11_tool(label, "--write-object", str(Path(ca.certificate_der)), "--type",
                                            "cert", "--id", "11", "--label", "ec-sub"))
        for command in commands:
            subprocess.run(command, env=softhsm_env, capture_output=True, check=True, timeout=60)
        files["privkey"].unlink()  # the key now lives in the dongle only
        (folder / f"{label}.done").write_text("ok", encoding="ascii")
        created = True
    if created:
        from crypto import token_worker

        token_worker.shutdown_all()  # SoftHSM lists its tokens when loaded: load it again to see the new ones
    return uris


def _evaluation_flow(env: DemoEnvironment, step: Callable[[str], None]) -> int:
    from cryptography import x509

    from bidclient.api_client import ApiClient
    from bidclient.evaluation.report import sign_report, verify_report
    from bidclient.evaluation.session import EvaluationApi, committee_result, open_workspace, write_session_report
    from bidclient.protocol.evaluation_session import (
        BidRef,
        CriterionDef,
        Phase,
        ReviewItemDef,
        SessionCreateIn,
        SessionDefinition,
    )
    from crypto import cms_sign
    from crypto.identity import identity_of
    from crypto.key_access import open_key
    from devtools.demo_env import AGENCY, _server_cli

    run = env.data / "runs" / ("evaluation-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S"))
    run.mkdir(parents=True)

    step(_("The experts' dongles (SoftHSM tokens), each with a person certificate"))
    uris = _expert_dongles(env)

    def signer_of(uri: str) -> Callable[[bytes], bytes]:
        def sign(data: bytes) -> bytes:
            with open_key(uri, env.pin_source) as session:
                return cms_sign.sign_detached(data, session.signer())
        return sign

    identities = {}
    for label, uri in uris.items():
        with open_key(uri, env.pin_source) as key_session:
            identities[label] = identity_of(key_session.signer().certificate).key
        _server_cli("admin", "grant", "--data", str(env.server_dir), "--identity", identities[label],
                    "--role", "expert")
        _say(f"{label:<14} {identities[label]}")

    step(_("The agency creates the session: the committee and the opened bids with their announced prices"))
    agency = EvaluationApi(ApiClient(env.url))
    agency.client.login(env.sign_with(AGENCY))
    definition = SessionDefinition(
        bids=[BidRef(id="bid-1", name="示例建设工程有限公司", price=Decimal("1280000.00"), sme=True),
              BidRef(id="bid-2", name="华东设备有限公司", price=Decimal("1150000.00")),
              BidRef(id="bid-3", name="南方科技有限公司", price=Decimal("1300000.00"))],
        criteria=[CriterionDef(id="tech", name="技术方案", min=Decimal(0), max=Decimal(30), weight=Decimal(30)),
                  CriterionDef(id="service", name="售后服务", min=Decimal(0), max=Decimal(10), weight=Decimal(10),
                               kind="objective"),
                  CriterionDef(id="price", name="价格分", min=Decimal(0), max=Decimal(100), weight=Decimal(60),
                               kind="computed")],
        review_items=[ReviewItemDef(id="licence", name="营业执照", kind="qualification"),
                      ReviewItemDef(id="bond", name="投标保证金", kind="compliance")],
        candidates=2, sme_deduction=Decimal(10), title="示例项目", lot_id="1", lot_name="台式计算机")
    session = agency.create(SessionCreateIn(tender_id=env.tender_id, experts=list(identities.values()),
                                            definition=definition))
    sid = session.id
    _say(_("session {id} for tender {tender}: {n} experts, {bids} bids").format(
        id=sid, tender=env.tender_id, n=len(session.members), bids=len(definition.bids)))

    experts = []
    for label, uri in uris.items():
        client = ApiClient(env.url)
        client.login(signer_of(uri))
        experts.append((label, identities[label], EvaluationApi(client), signer_of(uri), uri))

    step(_("Each expert checks in and signs the recusal declaration and the commitment with the dongle"))
    for label, identity, api, sign, _uri in experts:
        api.check_in(sid, identity, sign)
        api.declare(sid, identity, sign, conflict=False, detail="")
        _say(_("{who}: checked in, declared no conflict").format(who=label))
    agency.advance(sid, Phase.ELECTION)

    step(_("The committee elects its chair (组长)"))
    _chair_label, chair_identity, chair, _sign, _uri = experts[0]
    for _label, _identity, api, _s, _u in experts:
        api.vote_chair(sid, chair_identity)
    _say(_("chair: {who}").format(who=chair.get(sid).chair))
    chair.advance(sid, Phase.READING)
    chair.advance(sid, Phase.REVIEW)

    step(_("Review: each expert judges every bid on every item; a fail needs its reason"))
    spaces = [open_workspace(api.client, sid, identity, path=run / f"journal-{label}.sqlite")
              for label, identity, api, _s, _u in experts]
    try:
        for n, space in enumerate(spaces):
            for bid in ("bid-1", "bid-2", "bid-3"):
                for item in ("licence", "bond"):
                    fails = bid == "bid-3" and item == "bond" and n < 2
                    space.review(bid, item, passed=not fails, reason="投标保证金未按时缴纳" if fails else "")
        chair.advance(sid, Phase.SCORING)
        for bid, reasons in chair.get(sid).excluded_bids.items():
            _say(_("excluded by the majority: {bid}: {reasons}").format(bid=bid, reasons="; ".join(reasons)))

        step(_("Scoring through each expert's local journal, then signed score sheets"))
        for n, space in enumerate(spaces):
            space.score("bid-1", "tech", str(24 + n))
            space.score("bid-2", "tech", str(22 + n))
            space.score("bid-1", "service", "8")
            space.score("bid-2", "service", "9")
        for space, (label, _identity, _api, sign, _uri) in zip(spaces, experts, strict=True):
            space.submit(sign)
            _say(_("{who}: sheet signed and submitted ({n} entries in the journal)").format(
                who=label, n=space.status().entries))
    finally:
        for space in spaces:
            space.close()
    chair.advance(sid, Phase.SUMMARY)

    step(_("The server ranks with the rules; the chair's client computes the same result again"))
    summary = chair.summary(sid)
    for line in sorted(summary.lines, key=lambda x: (x.rank is None, x.rank or 0)):
        _say(_("{bid} {name}: {state}").format(bid=line.bid, name=line.name, state=_("excluded") if line.excluded
             else _("rank {rank}, final score {total}, evaluated price {price}").format(
                 rank=line.rank, total=line.total, price=line.evaluated_price)))
    _say(_("评标基准价 (benchmark): {value}").format(value=summary.benchmark))
    result = committee_result(chair, sid)  # refuses any difference (evaluation.result_mismatch)
    _say(_("recommended candidates: {server} (server) = {client} (client): same numbers on both sides").format(
        server=", ".join(summary.candidates), client=", ".join(result.ranking.candidates)))
    chair.advance(sid, Phase.RANKING)
    chair.advance(sid, Phase.REPORT)

    step(_("The report: every expert signs it in turn with the dongle; the server checks each signature"))
    report = write_session_report(chair, sid, run / "report.pdf",
                                  created_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    for n, (label, _identity, api, _s, uri) in enumerate(experts):
        if n:
            report.write_bytes(api.report(sid))
        with open_key(uri, env.pin_source) as key_session:
            sign_report(report, key_session.signer())
        out = api.sign_report(sid, report.read_bytes())
        _say(_("{who} signed (signature {n}); the server validated it").format(who=label, n=out.position))
    chair.advance(sid, Phase.CLOSED)

    step(_("Anyone verifies the signed report offline"))
    final = run / "report-signed.pdf"
    final.write_bytes(agency.report(sid))
    roots = [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(env.pki.trust_dir.glob("*.pem"))]
    verified = verify_report(final, roots)
    states = {"agreed": _("signed, agrees"), "dissented": _("signed, dissents with written reasons"),
              "refused": _("refused with written reasons"), "not_signed": _("did not sign")}
    for member in verified.members:
        _say(f"{member.member.name}: {states[member.state]}")
    _say(_("report verified: every signature valid, by the committee's members in order") if not verified.problems
         else _("report NOT verified: {problems}").format(problems="; ".join(verified.problems)))
    if shutil.which("pdfsig"):
        done = subprocess.run(["pdfsig", str(final)], capture_output=True, text=True, check=False)
        _say(_("pdfsig: {n} valid signature(s)").format(n=done.stdout.count("Signature is Valid")))
    print("\n" + _("Demo complete. Files are in {dir}").format(dir=run))
    return EXIT_OK if not verified.problems else 1
