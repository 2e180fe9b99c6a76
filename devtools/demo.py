"""The main job: the embedded server with demo data, then the desktop app ready to sign in as a demo
enterprise — or, on a machine with no display, the same bidder flow headless, printing each step.

Every step is the real thing: SoftHSM dongles through PKCS#11, the server over HTTP, CMS and PDFs
that OpenSSL and pdfsig check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bidclient.errors import EXIT_OK, describe
from bidclient.i18n import _
from bidclient.timefmt import format_time

if TYPE_CHECKING:
    from devtools.demo_env import DemoEnvironment
    from devtools.pki import Party


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return False  # an invisible app would only confuse: run the flow in the terminal
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin")


class _Steps:
    def __init__(self) -> None:
        self.number = 0

    def __call__(self, text: str) -> None:
        self.number += 1
        print(f"\n[{self.number}] {text}", flush=True)


def _say(text: str) -> None:
    print(f"    {text}", flush=True)


def run_demo(data: Path, *, headless: bool = False, opening: bool = False,
             bid_time: timedelta = timedelta(seconds=30)) -> int:
    """The bidder flow (default), or with ``opening`` a complete opening (devtools/demo_opening.py). With a
    display the desktop app starts afterwards on the same server and data; headless, only the steps print.
    ``bid_time``: how long the opening demo's bidders have before the deadline (server clock)."""
    from crypto import token_worker
    from devtools.demo_env import prepare

    step = _Steps()
    if opening:
        print(_("bidclient demonstration: a complete bid opening — three enterprises, a key committee, a "
                "faulty dongle remedied by the committee, the announcement and the signed record."))
        step(_("Demo PKI, dongles (SoftHSM tokens) and the embedded server"))
    else:
        print(_("bidclient demonstration: an enterprise prepares, seals and submits a bid with its dongle."))
        step(_("Demo PKI, dongles (SoftHSM tokens) and the embedded server with a demo tender"))
    try:
        env = prepare(data, _say, publish=not opening)
    except Exception as error:
        message = describe(error)
        print(message.render(), file=sys.stderr)
        return message.exit_status
    try:
        if opening:
            from devtools.demo_opening import run_opening

            status = run_opening(env, step, _say, bid_time=bid_time)
            if status != EXIT_OK or headless or not has_display():
                return status
            step(_("Opening the desktop app on the same server: sign in with a dongle of the opening (demo PIN "
                   "12345678): 'opener-1' the host, 'supervisor-1' the supervisor, 'centre-1' a committee "
                   "member, 'ent-a-rsa', 'ent-b' or 'ent-c' a bidder"))
            return subprocess.run([sys.executable, "-m", "ui.launcher"], env=app_environment(env),
                                  check=False).returncode
        if not headless and has_display():
            step(_("Opening the desktop app: sign in as 示例建设工程有限公司 with the token 'ent-a-rsa' "
                   "(demo PIN 12345678)"))
            _say(_("server {url}; drafts in {dir}").format(url=env.url, dir=env.data / DEMO_BIDS))
            return subprocess.run([sys.executable, "-m", "ui.launcher"], env=app_environment(env),
                                  check=False).returncode
        if not headless:
            print("\n" + _("No display found: running the same bidder flow headless."), flush=True)
        return _bidder_flow(env, step)
    except Exception as error:
        message = describe(error)
        print(message.render(), file=sys.stderr)
        return message.exit_status
    finally:
        env.stop()
        token_worker.shutdown_all()


DEMO_BIDS = "bids"  # the app's bid drafts, inside the demo folder (never the user's real ones)


def app_environment(env: DemoEnvironment) -> dict[str, str]:
    """What the demo hands the desktop app: the address of the server it started (whatever port it got),
    the demo's own configuration (pinned server CA, trust list, session), dongles and draft folder, and
    the dongle to preselect. scripts/demo and the GUI test of the demo path use this same set-up."""
    app_env = dict(os.environ)
    app_env.update({
        "BIDCLIENT_SERVER": env.url,
        "BIDCLIENT_DEMO_TOKEN": env.pki.party("ent-a").token_label or "",  # a dongle label, not a secret
        "BIDCLIENT_BIDS_DIR": str(env.data / DEMO_BIDS),
        "XDG_CONFIG_HOME": str(env.data / "config"),
    })
    if env.pki.softhsm_conf is not None:
        app_env["SOFTHSM2_CONF"] = str(env.pki.softhsm_conf)
    app_env.pop("BIDCLIENT_TRUST", None)  # the demo's synced trust list, in its config folder
    return app_env


def _bidder_flow(env: DemoEnvironment, step: _Steps) -> int:
    from bidclient import bid_project, receipts
    from bidclient import tender_package as tp
    from bidclient.api_client import ApiClient, ApiError
    from bidclient.certfiles import load_certificate
    from bidclient.sealing import unseal
    from bidclient.signing import load_trust
    from bidclient.submit import Uploader, receipt_path
    from crypto import trust
    from crypto.identity import identity_of
    from crypto.key_access import list_tokens, open_key
    from crypto.modules import discover_modules

    pki = env.pki
    ent_a, ent_a_ec, opener = pki.party("ent-a"), pki.party("ent-a-ec"), pki.party("opener-1")
    trust_list = load_trust([pki.trust_dir])
    run = env.data / "runs" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run.mkdir(parents=True)

    step(_("The enterprise's dongles: any CA, one client"))
    for token in list_tokens(discover_modules([pki.module_path])):
        if token.info.label.startswith(("ent-a", "ent-b", "opener")):
            names = {"signing": _("signing pair"), "encryption": _("encryption pair")}
            roles = ", ".join(names.get(role, role) for role in sorted({pair.role for pair in token.pairs}))
            _say(f"{token.info.label:<12} {roles}")
    id_rsa = identity_of(load_certificate(ent_a.signing_cert))
    id_ec = identity_of(load_certificate(ent_a_ec.signing_cert))
    _say(_("RSA CA certificate: {code} {name}").format(code=id_rsa.uscc, name=id_rsa.organization))
    _say(_("EC CA certificate:  {code} {name}").format(code=id_ec.uscc, name=id_ec.organization))
    _say(_("same enterprise, one account: yes") if id_rsa.key == id_ec.key else _("same enterprise: NO"))

    step(_("Sign in to the server with the dongle (challenge signed by the signing key)"))
    client = ApiClient(env.url)
    login = client.login(env.sign_with("ent-a"))
    _say(_("signed in as {name} ({identity}), roles: {roles}").format(
        name=login.account.organization, identity=login.account.identity_key, roles=", ".join(login.account.roles)))

    step(_("Fetch the tender: agency signature, trust and every document hash verified"))
    tender_folder = run / "tender"
    package = tp.fetch(client, env.tender_id, tender_folder, trust_list=trust_list)
    definition = package.definition
    _say(f"{definition.tender_id} v{definition.version}: {definition.title}")
    _say(_("deadline {deadline} by the server clock; {n} scoring criteria").format(
        deadline=format_time(definition.bid_deadline, seconds=True), n=len(definition.scoring.criteria)))

    step(_("Prepare the bid: bid letter, price schedule, documents, every scoring criterion linked"))
    project = bid_project.create_project(run / "draft", tender_folder, trust_list=trust_list,
                                         bidder_name=id_rsa.organization or "")
    project.bid_letter.update({"legal_representative": "王五", "bid_amount": "1280000.00", "total_price": "1280000.00",
                               "bid_amount_words": "人民币壹佰贰拾捌万元整", "duration_days": "30",
                               "quality": "合格", "validity_days": "90"})
    project.price_schedule.update({"legal_representative": "王五", "total": "1280000.00",
                                   "total_words": "人民币壹佰贰拾捌万元整", "duration_days": "30",
                                   "total_price": "1280000.00", "delivery_days": "30"})
    project.price_lines[:] = [bid_project.PriceLine("台式计算机", "i5/16G/512G", "台", "200", "5400.00", "1080000.00"),
                              bid_project.PriceLine("显示器", "27英寸", "台", "200", "1000.00", "200000.00")]
    issues = [i for found in project.form_issues().values() for i in found]
    for issue in issues:
        _say(f"{_('problem')}: {issue.message}")
    _say(_("forms validated: {n} problem(s); amount in figures and in words agree").format(n=len(issues)))
    proposal = _demo_pdf(run / "技术方案.pdf", ["技术方案", "一、总体方案", "二、售后服务承诺", "三、企业信誉"])
    project.attach("technical", proposal)
    for criterion, page in (("tech", 1), ("service", 2), ("credit", 3), ("price", 1)):
        target = "forms/price_schedule.pdf" if criterion == "price" else "technical/技术方案.pdf"
        project.link(criterion, target, page if criterion != "price" else 1)
    coverage = project.coverage()
    linked, total = coverage.ratio
    _say(_("scoring criteria linked: {linked}/{total}").format(linked=linked, total=total))
    project.save()

    step(_("Sign the forms (PAdES, visible seal) and seal the bid — one PIN entry"))
    assert ent_a.signing_uri is not None
    with open_key(ent_a.signing_uri, env.pin_source) as session:
        for warning in project.preseal_warnings(now=client.server_now(),
                                                encryption_certificate=session.encryption_certificate):
            _say(f"{_('warning')}: {warning.message}")
        result = bid_project.seal_project(project, session=session, bidder_identity=login.account.identity_key,
                                          now=client.server_now)
    sealed = project.sealed_path()
    assert sealed is not None
    _say(_("sealed to the opening certificate and to the enterprise's own encryption certificate"))
    _say(_("self-check passed: the bid opens with the enterprise's own key"))
    _say(_("envelope SHA-256 {sha}").format(sha=result.envelope_sha256))
    _check_pdf_signature(run, project.directory / bid_project.ASSEMBLED_DIR / "forms" / "bid_letter.pdf")

    step(_("Submit: resumable upload, signed statement, receipt by the server clock"))
    server_ca = receipts.pinned_server_ca(client)
    out = Uploader(client).submit(sealed, tender_id=definition.tender_id, tender_version=definition.version,
                                  bidder=login.account.identity_key, sign=bid_project.presigned_statement(project)
                                  or env.sign_with("ent-a"), sealed_as=(result.envelope_sha256, result.envelope_size))
    receipt_file = receipt_path(sealed)
    receipts.save_receipt(receipt_file, out.receipt, server_ca)
    verified = receipts.verify_receipt(receipts.load_receipt(receipt_file), bid=sealed)
    _say(_("received {time} (server time), receipt signed by {signer}, RFC 3161 timestamp verified").format(
        time=format_time(verified.time, seconds=True), signer=verified.signer))
    _say(_("the receipt's envelope hash matches the sealed bid: {ok}").format(ok=verified.bid_checked))

    step(_("Before the opening nobody can download the bid — not even the opening staff"))
    staff = ApiClient(env.url)
    staff.login(env.sign_with("opener-1"))
    try:
        staff.request("GET", f"/api/v1/submissions/{out.id}/envelope")
        _say(_("UNEXPECTED: the server released a bid before the opening"))
        return 1
    except ApiError as error:
        _say(f"[{error.code}] {error}")

    step(_("What the opening will do: decrypt with the opening key, verify the signature and every file"))
    opened = run / "opened"
    assert opener.encryption_uri is not None
    with open_key(opener.encryption_uri, env.pin_source) as session:
        outcome = unseal(sealed, opened, session=session, trust_list=trust_list,
                         revocation=trust.RevocationMode.SOFT_FAIL)
    _say(_("signed by {who}, enterprise {code}").format(who=outcome.signature.signer_name,
                                                         code=outcome.signature.identity.uscc))
    for entry in outcome.manifest.files:
        _say(f"{entry.sha256[:16]}…  {entry.path}")

    step(_("A tampered copy is refused and nothing is extracted"))
    tampered = run / "tampered.bid"
    raw = bytearray(sealed.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    tampered.write_bytes(bytes(raw))
    try:
        with open_key(opener.encryption_uri, env.pin_source) as session:
            unseal(tampered, run / "tampered-opened", session=session, trust_list=trust_list)
        _say(_("UNEXPECTED: the tampered bid was accepted"))
        return 1
    except Exception as error:
        _say(f"[{describe(error).code}] {describe(error).headline}")
        _say(_("nothing extracted") if not (run / "tampered-opened").exists() else _("UNEXPECTED: output exists"))

    step(_("Anyone can check it with standard tools"))
    _say(_check_by_hand(sealed, run / "by-hand", opener, pki.ca(ent_a.ca).certificate))
    print("\n" + _("Demo complete. Files are in {dir}").format(dir=run))
    return EXIT_OK


def _demo_pdf(path: Path, lines: list[str]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from forms.fonts import cjk_font, draw_text

    pdf = canvas.Canvas(str(path), pagesize=A4, initialFontName=cjk_font())  # no unembedded Helvetica
    for line in lines[1:]:
        draw_text(pdf, 72, 780, lines[0], 16)  # Chinese and Latin runs, each in a face that has them
        draw_text(pdf, 72, 740, line, 12)
        pdf.showPage()
    pdf.save()
    return path


def _check_pdf_signature(run: Path, pdf: Path) -> None:
    if not shutil.which("pdfsig"):
        return
    done = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)
    valid = "Signature is Valid" in done.stdout
    _say(_("pdfsig on the signed bid letter: {result}").format(
        result=_("signature valid") if valid else done.stdout.strip()[-200:]))


def _check_by_hand(sealed: Path, folder: Path, opener: Party, ca_cert: Path) -> str:
    """Open the bid with OpenSSL and unzip only, as docs/formats/sealed-bid.md describes."""
    if not (shutil.which("openssl") and shutil.which("unzip")):
        return _("openssl or unzip is not installed; see docs/formats/sealed-bid.md")
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
        print("    $ " + " ".join(command), flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return _("FAILED: {cmd}: {err}").format(cmd=" ".join(command[:2]), err=done.stderr.strip())
    return _("OpenSSL decrypted the bid and verified the manifest signature")
