"""The main job until the desktop app exists: a bid sealed and opened end to end on demo dongles.

Every step is the real thing: SoftHSM tokens through PKCS#11, CMS that OpenSSL opens, revocation
checked against the demo CA's OCSP responder on loopback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bidclient import devpki
from bidclient.certfiles import load_certificate
from bidclient.errors import EXIT_OK, describe
from bidclient.i18n import _
from bidclient.sealing import TenderTarget, seal, unseal
from bidclient.signing import load_trust
from crypto import token_worker, trust
from crypto.identity import identity_of
from crypto.key_access import list_tokens, open_key
from crypto.modules import discover_modules
from crypto.pin import PinSource, pin_from_source_spec


def _step(number: int, text: str) -> None:
    print(f"\n[{number}] {text}", flush=True)


def _write_demo_bid(folder: Path, enterprise: str) -> None:
    """A small bid: a bid letter and a price schedule as PDFs, and a technical proposal."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    folder.mkdir(parents=True)
    for name, lines in (
        ("bid-letter.pdf", ["Bid letter", f"Bidder: {enterprise}", "Price: CNY 1,280,000.00",
                            "Duration: 180 days", "Quality: qualified"]),
        ("price-schedule.pdf", ["Price schedule", "Lot 1: CNY 1,280,000.00"]),
    ):
        pdf = canvas.Canvas(str(folder / name), pagesize=A4)
        y = 780
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 24
        pdf.save()
    tech = folder / "technical"
    tech.mkdir()
    text = "Technical proposal\n" + "Method statement.\n" * 2000
    (tech / "proposal.txt").write_text(text, encoding="utf-8")


def _flip_byte(source: Path, target: Path) -> None:
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))


def _check_by_hand(sealed: Path, folder: Path, opener: devpki.Party, ca_cert: Path) -> str:
    """Open the bid with OpenSSL and unzip only, as the format document describes."""
    folder.mkdir()
    steps = [
        ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", str(sealed),
         "-recip", str(opener.encryption_cert), "-inkey", str(opener.encryption_key),
         "-out", str(folder / "bid.zip")],
        ["unzip", "-q", str(folder / "bid.zip"), "-d", str(folder / "bid")],
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER",
         "-in", str(folder / "bid" / "manifest.json.p7s"), "-content", str(folder / "bid" / "manifest.json"),
         "-CAfile", str(ca_cert), "-purpose", "any", "-out", os.devnull],
    ]
    for command in steps:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return _("FAILED: {cmd}: {err}").format(cmd=" ".join(command[:2]), err=done.stderr.strip())
    return _("OpenSSL decrypted the bid and verified the manifest signature")


def run_demo(data: Path) -> int:
    data = data.resolve()
    pki_dir = data / "pki"
    print(_("bidclient demonstration: seal a bid with a dongle, open it at the deadline."))
    _step(1, _("Demo PKI and dongles (SoftHSM tokens)"))
    if (pki_dir / devpki.INDEX_NAME).is_file():
        pki = devpki.load(pki_dir)
        print(_("  using the demo PKI in {dir}").format(dir=pki_dir))
    else:
        pki = devpki.generate(pki_dir)
        print(_("  generated three CAs, enterprise, expert and opening-staff keys in {dir}").format(
            dir=pki_dir))
    if pki.softhsm_conf is not None:
        os.environ["SOFTHSM2_CONF"] = str(pki.softhsm_conf)
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is loaded
    pin_source = pin_from_source_spec(f"file:{pki.pin_file}")

    revocation = trust.RevocationMode.SOFT_FAIL
    server = None
    try:
        from bidclient.devocsp import PkiServer

        server = PkiServer(pki, port=pki.port).start()
        revocation = trust.RevocationMode.HARD_FAIL
        print(_("  the demo CAs' OCSP responder and CRLs are served on {url}").format(url=pki.base_url))
    except OSError:
        print(_("  port {port} is busy: revocation is checked in soft-fail mode").format(port=pki.port))

    try:
        return _run_steps(data, pki, pin_source, revocation)
    except Exception as error:
        message = describe(error)
        print(message.render(), file=sys.stderr)
        return message.exit_status
    finally:
        if server is not None:
            server.stop()
        token_worker.shutdown_all()


def _run_steps(data: Path, pki: devpki.DevPki, pin_source: PinSource,
               revocation: trust.RevocationMode) -> int:
    ent_a = pki.party("ent-a")
    ent_a_ec = pki.party("ent-a-ec")
    opener = pki.party("opener-1")
    tokens = list_tokens(discover_modules([pki.module_path]))
    for token in tokens:
        roles = ", ".join(sorted({pair.role for pair in token.pairs}))
        print(f"  {token.info.label:<16} {roles}")

    _step(2, _("One enterprise, two CAs, one identity"))
    id_rsa = identity_of(load_certificate(ent_a.signing_cert))
    id_ec = identity_of(load_certificate(ent_a_ec.signing_cert))
    print(f"  {ent_a.token_label}: {id_rsa.uscc} {id_rsa.organization}")
    print(f"  {ent_a_ec.token_label}: {id_ec.uscc} {id_ec.organization}")
    print("  " + (_("same enterprise: yes") if id_rsa.key == id_ec.key else _("same enterprise: NO")))

    run = data / "runs" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    bid_dir = run / "bid-files"
    _write_demo_bid(bid_dir, id_rsa.organization or "")
    assert opener.encryption_cert is not None
    opening_cert = load_certificate(opener.encryption_cert)
    target = TenderTarget(tender_id="DEMO-2026-001", tender_version=1, opening_certificates=[opening_cert])

    _step(3, _("Enterprise A signs and seals its bid with its dongle (one PIN entry)"))
    sealed = run / "enterprise-a.bid"
    assert ent_a.signing_uri is not None
    with open_key(ent_a.signing_uri, pin_source) as session:
        result = seal(bid_dir, sealed, session=session, target=target)
    for warning in result.warnings:
        print(f"  {_('warning')}: {warning}")
    print(_("  sealed {n} files to {path}").format(n=len(result.manifest.files), path=sealed))
    print(_("  recipients: the opening certificate and Enterprise A's own encryption certificate"))
    print(_("  envelope SHA-256 {sha}").format(sha=result.envelope_sha256))
    print(_("  self-check: the bid opens with Enterprise A's own key"))

    _step(4, _("At the opening: staff decrypt with the opening key, verify the signature and every file"))
    trust_list = load_trust([pki.trust_dir])
    opened = run / "opened"
    assert opener.encryption_uri is not None
    with open_key(opener.encryption_uri, pin_source) as session:
        outcome = unseal(sealed, opened, session=session, trust_list=trust_list, revocation=revocation)
    sig = outcome.signature
    print(_("  signed by {who}, enterprise {code}, issued by {ca}").format(
        who=sig.signer_name, code=sig.identity.uscc, ca=sig.issuer_name))
    for entry in outcome.manifest.files:
        print(f"    {entry.sha256[:16]}…  {entry.path}")

    _step(5, _("A tampered bid is refused and nothing is extracted"))
    tampered = run / "tampered.bid"
    _flip_byte(sealed, tampered)
    refused_dir = run / "tampered-opened"
    try:
        with open_key(opener.encryption_uri, pin_source) as session:
            unseal(tampered, refused_dir, session=session, trust_list=trust_list, revocation=revocation)
        print(_("  UNEXPECTED: the tampered bid was accepted"))
        return 1
    except Exception as error:
        print(f"  [{describe(error).code}] {describe(error).headline}")
        print("  " + (_("nothing extracted") if not refused_dir.exists() else _("UNEXPECTED: output exists")))

    _step(6, _("Anyone can check it with standard tools"))
    key = opener.encryption_key
    print(f"  openssl cms -decrypt -binary -inform DER -in {sealed} \\\n"
          f"      -recip {opener.encryption_cert} -inkey {key} -out bid.zip")
    print("  unzip bid.zip -d bid && cd bid")
    print(f"  openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json \\\n"
          f"      -CAfile {pki.ca(ent_a.ca).certificate} -purpose any -out /dev/null")
    if shutil.which("openssl") and shutil.which("unzip"):
        print("  " + _("running them now:"))
        print("  " + _check_by_hand(sealed, run / "by-hand", opener, pki.ca(ent_a.ca).certificate))
    print(_("  (docs/formats/sealed-bid.md explains each step)"))
    print("\n" + _("Demo complete. Files are in {dir}").format(dir=run))
    return EXIT_OK
