"""A phone rating (电话评价) keeps its own facts: who recorded it, when the
applicant was called, and their consent; the rater becomes optional, for
cases entered at a window for applicants without an account.

Phone ratings recorded before this read their facts back from what the
rating action wrote in the same transaction: the case timeline's 评价 entry
(actor = who recorded it, detail: called_at, consented), or failing that the
audit entry of supervision.rate_case_by_phone. The check constraint that
requires these facts comes in the next migration (PostgreSQL does not alter a
table with pending foreign-key checks from this one's updates).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _facts(detail, user_id):
    """(recorded_by_id, called_at, True) from a timeline or audit entry's
    detail, or None when who, when or the consent cannot be read."""
    from datetime import datetime

    try:
        called_at = datetime.fromisoformat(str((detail or {}).get("called_at", "")))
    except ValueError:
        return None
    if user_id is None or called_at.tzinfo is None:
        return None
    if (detail or {}).get("consented") is not True:
        return None
    return user_id, called_at, True


def fill_phone_facts(apps, schema_editor):
    ServiceRating = apps.get_model("supervision", "ServiceRating")
    CaseEvent = apps.get_model("servicehall", "CaseEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    unreadable = []
    phone_ratings = ServiceRating.objects.filter(
        channel="phone", case__isnull=False
    ).select_related("case")
    for rating in phone_ratings.iterator():
        event = (
            CaseEvent.objects.filter(case_id=rating.case_id, kind="rated")
            .order_by("-at", "-id")
            .first()
        )
        facts = event and _facts(event.detail, event.actor_id)
        if not facts:
            entry = (
                AuditEntry.objects.filter(
                    action="supervision.rate_case_by_phone",
                    outcome="success",
                    target_id=rating.case.number or "",
                )
                .order_by("-created_at", "-id")
                .first()
            )
            facts = entry and _facts(entry.detail, entry.user_id)
        if not facts:
            unreadable.append(rating.pk)
            continue
        rating.recorded_by_id, rating.called_at, rating.consented = facts
        rating.save(update_fields=["recorded_by", "called_at", "consented"])
    if unreadable:
        raise RuntimeError(
            f"Phone ratings {unreadable} have no readable call facts in the "
            "case timeline or the audit log; fill recorded_by, called_at and "
            "consented by hand before migrating."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0003_sso_application_policy_and_subject"),
        ("servicehall", "0003_case_instruments"),
        ("supervision", "0001_ratings"),
        ("audit", "0005_pending_entries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="servicerating",
            name="called_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="回访时间"),
        ),
        migrations.AddField(
            model_name="servicerating",
            name="consented",
            field=models.BooleanField(default=False, verbose_name="申请人同意代为登记"),
        ),
        migrations.AddField(
            model_name="servicerating",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="登记人",
            ),
        ),
        migrations.AlterField(
            model_name="servicerating",
            name="rater",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="service_ratings",
                to=settings.AUTH_USER_MODEL,
                verbose_name="评价人",
            ),
        ),
        migrations.RunPython(fill_phone_facts, migrations.RunPython.noop),
    ]
