"""SMS adapter. The console backend logs messages; a gateway backend replaces it."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("egov.sms")
outbox: list[tuple[str, str]] = []


class ConsoleSMSBackend:
    """Writes each message to the log and keeps it in `outbox` for tests."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))
        logger.info("SMS to %s: %s", phone, text)


def send_sms(phone: str, text: str) -> None:
    import_string(settings.EGOV_SMS_BACKEND)().send(phone, text)
