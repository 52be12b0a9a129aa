"""Issuing and revoking electronic licences (电子证照).

Each action runs in one transaction with its audit entry, a line on the case's
timeline and the message to the holder (sent after the commit).
"""

import secrets
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.datahub import licence_signature
from egov.datahub.licence_types import licence_type as type_rules
from egov.datahub.models import ELicense, LicenceSequence
from egov.datahub.permissions import licence_policy
from egov.servicehall.form_display import (
    form_fields,
    is_private_field,
    lookup_path,
    value_text,
)

ISSUE_ACTION = "datahub.issue_licence"
REVOKE_ACTION = "datahub.revoke_licence"
ACTION_LABELS = {
    ISSUE_ACTION: gettext_lazy("出具电子证照"),
    REVOKE_ACTION: gettext_lazy("注销电子证照"),
}
REASON_MAX = 500


# Form fields that hold contact or identity data: they belong to the case, not
# on the licence (the holder's ID number is printed from its own field).
def licence_data(case) -> dict:
    """What the licence prints besides its holder, issuer and validity: the
    item, and the application form's fields as [label, text] rows in the
    form's order (option values by their labels), without contact or identity
    fields. Without a published form, the case's own keys label its values."""
    version = case.item_version
    form_data = case.form_data or {}
    described = form_fields(version) or [(key, key, {}) for key in form_data]
    rows = []
    for path, label, options in described:
        if is_private_field(path, label):
            continue
        text = value_text(lookup_path(form_data, path), options)
        if text:
            rows.append([label.replace("\x00", "")[:100], text[:1000]])
    return {"item_name": version.name, "item_code": case.item.code, "fields": rows}


def _add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year
        return start.replace(year=start.year + years, day=28)


def validity(type_name: str, start: date) -> date | None:
    """The last day a licence of `type_name` issued on `start` is valid
    (None: without end)."""
    years = type_rules(type_name).years
    if not years:
        return None
    return _add_years(start, years) - timedelta(days=1)


def next_licence_number(type_name: str, organization, year: int) -> str:
    """`<prefix><region code><year><6-digit sequence>`, the sequence per type
    and year (call inside the issuing transaction: the row stays locked)."""
    LicenceSequence.objects.get_or_create(licence_type=type_name, year=year)
    sequence = LicenceSequence.objects.select_for_update().get(
        licence_type=type_name, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    region = organization.region
    region_code = region.code if region is not None else "000000"
    return f"{type_rules(type_name).prefix}{region_code}{year}{sequence.last:06d}"


def _new_code() -> str:
    while True:
        code = secrets.token_urlsafe(16)
        if not ELicense.objects.filter(code=code).exists():
            return code


@audited(ISSUE_ACTION, target_kwarg="case")
def issue_licence(*, actor, case) -> ELicense:
    """Issue the electronic licence of an approved case whose item issues one.

    Idempotent per case: while the case has a valid licence, calling again
    returns that licence and changes nothing. The actor must be allowed to
    decide the case (servicehall.decide_case within their data scope). The
    case must already be in the approved state (set it before calling).
    """
    from egov.servicehall.case_common import add_event
    from egov.servicehall.models import Case, CaseEvent
    from egov.servicehall.notify import notify_applicant

    licence_policy.require(actor, "issue_licence", case)
    # The case row is the lock that keeps two concurrent calls from issuing twice.
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
    existing = ELicense.objects.filter(case=case, state=ELicense.State.VALID).first()
    if existing is not None:
        return existing
    version = case.item_version
    if not version.issues_licence or not version.licence_type:
        raise ActionError(
            _("该事项不出具电子证照"), code="item_issues_no_licence", target=case
        )
    if case.state != Case.State.APPROVED or not case.number:
        raise ActionError(
            _("只有准予许可的办件才能出具电子证照"),
            code="case_not_approved",
            target=case,
        )
    issued_at = timezone.now().replace(microsecond=0)
    valid_from = timezone.localdate(issued_at)
    organization = case.organization
    licence = ELicense(
        code=_new_code(),
        number=next_licence_number(version.licence_type, organization, valid_from.year),
        licence_type=version.licence_type,
        holder_kind=case.applicant_kind,
        holder_name=case.applicant_name,
        data=licence_data(case),
        organization=organization,
        issuer_name=organization.name,
        issued_at=issued_at,
        issued_by=actor,
        valid_from=valid_from,
        valid_until=validity(version.licence_type, valid_from),
        case=case,
    )
    licence.holder_id = case.applicant_id_number
    licence_signature.sign(licence)
    licence.save()
    record(
        actor=actor,
        action=ISSUE_ACTION,
        target=licence,
        detail={
            "case": case.number,
            "licence_type": licence.licence_type,
            "valid_until": licence.valid_until,
            "key_id": licence.key_id,
            "digest": licence.digest,
        },
    )
    add_event(
        case,
        CaseEvent.Kind.LICENCE,
        actor=actor,
        organization=organization,
        note=_("出具%(type)s，证照编号%(number)s")
        % {"type": licence.licence_type, "number": licence.number},
        public_note=_("已出具%(type)s") % {"type": licence.licence_type},
        detail={"licence": licence.number},
    )
    notify_applicant(
        case,
        "licence_issued",
        title=_("您的%(type)s已出具，证照编号%(number)s")
        % {"type": licence.licence_type, "number": licence.number},
    )
    return licence


@audited(REVOKE_ACTION, target_kwarg="licence")
def revoke_licence(*, actor, licence: ELicense, reason: str) -> ELicense:
    """Revoke a valid licence with a reason (datahub.revoke_elicense over its
    issuing organization). Its verification page says 已注销 from then on."""
    from egov.servicehall.case_common import add_event
    from egov.servicehall.models import CaseEvent
    from egov.servicehall.notify import notify_applicant

    licence_policy.require(actor, "revoke_licence", licence)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(
            _("请填写注销原因"),
            code="reason_required",
            fields={"reason": _("请填写注销原因")},
            target=licence,
        )
    if len(reason) > REASON_MAX:
        message = _("注销原因不能超过%(n)d个字") % {"n": REASON_MAX}
        raise ActionError(
            message, code="reason_too_long", fields={"reason": message}, target=licence
        )
    locked = ELicense.objects.select_for_update().get(pk=licence.pk)
    if locked.state != ELicense.State.VALID:
        raise ActionError(
            _("该电子证照已注销"), code="licence_already_revoked", target=licence
        )
    locked.state = ELicense.State.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.revoke_reason = reason
    locked.save(update_fields=["state", "revoked_at", "revoked_by", "revoke_reason"])
    record(
        actor=actor,
        action=REVOKE_ACTION,
        target=locked,
        detail={"case": locked.case.number, "reason": reason},
    )
    case = locked.case
    add_event(
        case,
        CaseEvent.Kind.NOTE,
        actor=actor,
        organization=locked.organization,
        note=_("%(type)s（证照编号%(number)s）已注销：%(reason)s")
        % {"type": locked.licence_type, "number": locked.number, "reason": reason},
        public_note=_("电子证照已注销"),
        detail={"licence": locked.number},
    )
    notify_applicant(
        case,
        "licence_revoked",
        title=_("您的%(type)s（证照编号%(number)s）已注销")
        % {"type": locked.licence_type, "number": locked.number},
        body=_("注销原因：%(reason)s") % {"reason": reason},
    )
    for field in ("state", "revoked_at", "revoked_by", "revoke_reason"):
        setattr(licence, field, getattr(locked, field))
    return locked
