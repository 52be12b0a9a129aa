from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_chain_head(sender, using="default", **kwargs):
    """Put the genesis head back after a flush emptied the tables.

    The migration inserts it on a new database; a flush (as between
    transactional tests) truncates every table and then announces
    post_migrate, so the head comes back before anyone appends. A head is
    never invented for a log that still has entries: that log was tampered
    with, and appends must fail loudly rather than start a second chain.
    """
    from django.db import connections

    from egov.audit.chain import GENESIS
    from egov.audit.models import AuditEntry, ChainHead

    tables = connections[using].introspection.table_names()
    if ChainHead._meta.db_table not in tables:
        return
    if ChainHead.objects.using(using).exists():
        return
    if AuditEntry.objects.using(using).exists():
        return
    ChainHead.objects.using(using).create(pk=1, seq=0, hash=GENESIS)


class AuditConfig(AppConfig):
    name = "egov.audit"
    label = "audit"
    verbose_name = _("统一日志")

    def ready(self):
        from egov.audit import signin_events  # noqa: F401 - connects auth signals

        post_migrate.connect(ensure_chain_head, sender=self)
