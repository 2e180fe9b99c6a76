"""Sending the invitations' e-mail from the outbox, with retries; expiring unanswered invitations.

An invitation is in the app the moment the draw commits; its mail is a row of ``expert_mail`` written in
the same transaction. Every ``expert_mail_poll`` seconds each instance leases due rows (so two instances
never send the same mail at once), sends them over SMTP, and marks them sent — or, when the SMTP server is
down or refuses, keeps them with the error and tries again later (1 s, 2 s, 4 s ... at most 5 minutes).
Nothing is lost: a row is only marked sent after the SMTP server accepted the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server import clock
from server.experts import service
from server.experts.models import Mail
from server.settings import Settings

log = logging.getLogger("server.experts")
LEASE = timedelta(seconds=60)  # a mail being sent is not picked up by another instance for this long
MAX_BACKOFF = 300.0
BATCH = 50


def _lease(session_factory: sessionmaker[Session]) -> list[tuple[int, str, str, str, int]]:
    now = clock.now()
    with session_factory() as db:
        rows = list(db.execute(select(Mail).where(Mail.sent_at.is_(None), Mail.next_attempt_at <= now)
                               .order_by(Mail.id).limit(BATCH).with_for_update(skip_locked=True)).scalars())
        for row in rows:
            row.next_attempt_at = now + LEASE
        db.commit()
        return [(r.id, r.recipient, r.subject, r.body, r.attempts) for r in rows]


def _send(settings: Settings, recipient: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="bidclient")
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        smtp.send_message(message)


def send_due(session_factory: sessionmaker[Session], settings: Settings) -> tuple[int, int]:
    """Send what is due; returns (sent, failed). Without an SMTP host nothing is sent (in-app only)."""
    if not settings.smtp_host:
        return 0, 0
    sent = failed = 0
    for mail_id, recipient, subject, body, attempts in _lease(session_factory):
        error = ""
        try:
            _send(settings, recipient, subject, body)
        except (OSError, smtplib.SMTPException) as ex:
            error = f"{type(ex).__name__}: {ex}"[:1000]
        with session_factory() as db:
            row = db.get(Mail, mail_id)
            if row is None:
                continue
            row.attempts = attempts + 1
            if error:
                row.last_error = error
                row.next_attempt_at = clock.now() + timedelta(seconds=min(2.0 ** attempts, MAX_BACKOFF))
                failed += 1
                log.warning("the invitation mail %d to %s was not sent (attempt %d): %s; it will be retried",
                            mail_id, recipient, row.attempts, error)
            else:
                row.sent_at = clock.now()
                row.last_error = ""
                sent += 1
            db.commit()
    return sent, failed


def expire_unanswered(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as db:
        count = service.expire_unanswered(db)
        db.commit()
        return count


async def _loop(app: Any) -> None:
    settings: Settings = app.state.settings
    while True:
        await asyncio.sleep(settings.expert_mail_poll)
        try:
            await asyncio.to_thread(expire_unanswered, app.state.session_factory)
            await asyncio.to_thread(send_due, app.state.session_factory, settings)
        except Exception:  # a database restart must not end the mailer
            log.exception("the expert mailer failed; retrying at the next poll")


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    task = asyncio.create_task(_loop(app), name="expert-mailer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
