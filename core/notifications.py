"""Notifications by e-mail (Django's mail framework) and SMS (a pluggable backend), sent after commit.

`notify()` is called inside a service's transaction; the message is queued for the background
worker only once the transaction commits, so a rolled-back step sends nothing and the request
never waits for a mail or SMS gateway. The SMS backend is the class named by `SMS_BACKEND`
(default: `core.notifications.ConsoleSMSBackend`, which writes to the log).
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task

log = logging.getLogger(__name__)


class BaseSMSBackend:
    """What an SMS gateway adapter implements: `send(phone, text)`."""

    def send(self, phone: str, text: str) -> None:
        """Send one text message to an E.164 phone number."""
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Writes messages to the log instead of sending them (development and tests)."""

    def send(self, phone: str, text: str) -> None:
        """Log the message."""
        log.warning("SMS to %s: %s", phone, text)


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in `LocmemSMSBackend.outbox`, like Django's locmem mail backend (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        """Append (phone, text) to the outbox."""
        LocmemSMSBackend.outbox.append((phone, text))


def sms_backend() -> BaseSMSBackend:
    """An instance of the configured SMS backend."""
    return import_string(getattr(settings, "SMS_BACKEND", "core.notifications.ConsoleSMSBackend"))()


@task()
def deliver(emails: list[str], phones: list[str], subject: str, body: str) -> int:
    """The background task: send the e-mail to every address and the SMS to every phone."""
    sent = 0
    if emails:
        # One message per address: recipients must not learn each other's addresses.
        sent += send_mass_mail([(subject, body, None, [e]) for e in emails], fail_silently=False)
    backend = sms_backend() if phones else None
    for phone in phones:
        try:
            backend.send(phone, f"{subject}：{body}"[:300])
            sent += 1
        except Exception:  # one failing gateway call must not stop the other messages
            log.exception("SMS to %s failed", phone)
    return sent


def notify(*, emails=(), phones=(), subject: str, body: str) -> None:
    """Queue a message for after the current transaction commits (nothing is sent if it rolls back)."""
    emails = sorted({e for e in emails if e})
    phones = sorted({p for p in phones if p})
    if not emails and not phones:
        return
    transaction.on_commit(lambda: deliver.enqueue(emails, phones, str(subject), str(body)))
