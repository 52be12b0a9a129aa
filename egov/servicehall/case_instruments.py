"""Instruments (文书) issued on a case: 受理通知书, 不予受理通知书, 补正材料通知书,
准予/不予行政许可决定书, 延期通知书.

`issue_instrument` is called by the case actions inside their transaction:
it fills in the active DOCX template of the kind (egov.docgen), converts it to
PDF, stores both, and numbers the instrument
`<organization>许<kind mark>〔<year>〕<sequence>号`, the sequence per
organization, kind and year. If generation fails the action fails with it:
a case is never accepted without its notice.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from egov.core.files import store_upload
from egov.servicehall.models import CaseInstrument

Kind = CaseInstrument.Kind

# The mark in the instrument number of each kind (受 for 受理 etc.).
KIND_MARKS = {
    Kind.ACCEPTANCE: "受",
    Kind.REFUSAL: "不受",
    Kind.CORRECTION: "补",
    Kind.APPROVAL: "准",
    Kind.DENIAL: "不准",
    Kind.EXTENSION: "延",
}

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _organ_mark(organization) -> str:
    name = organization.short_name or organization.name
    return name[:12]


def next_number(case, kind: str) -> str:
    """The next instrument number of `kind` for the case's organization this
    year, e.g. 市场监管局许受〔2026〕0007号."""
    year = timezone.localdate().year
    prefix = f"{_organ_mark(case.organization)}许{KIND_MARKS[kind]}〔{year}〕"
    taken = CaseInstrument.objects.filter(kind=kind, number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}号"


def lookup_url() -> str:
    try:
        return reverse("hall:lookup")
    except NoReverseMatch:
        return ""


def base_context(case, number: str) -> dict:
    organization = case.organization
    return {
        "organization_name": organization.name,
        "document_number": number,
        "applicant_name": case.applicant_name,
        "case_number": case.number,
        "item_name": case.item_version.name,
        "received_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "lookup_url": lookup_url(),
        "date": timezone.localdate(),
        "reconsideration_organ": (
            organization.parent.name if organization.parent_id else ""
        ),
        "court_name": _court(organization),
    }


def _court(organization) -> str:
    region = organization.region
    return f"{region.name}人民法院" if region is not None else ""


def issue_instrument(*, actor, case, kind: str, context: dict) -> CaseInstrument:
    """Generate, store and record one instrument of `kind` for `case`;
    `context` adds the kind's own variables to the common ones."""
    from egov.docgen.render import docx_to_pdf, render_docx
    from egov.identity.models import Organization

    # Numbers run per organization: its row is the lock that keeps two
    # instruments issued at once from taking the same number.
    Organization.objects.select_for_update().filter(pk=case.organization_id).exists()
    number = next_number(case, kind)
    values = {**base_context(case, number), **context}
    docx = render_docx(f"servicehall.{kind}", values)
    pdf = docx_to_pdf(docx)
    label = str(Kind(kind).label)
    stem = f"{label}-{case.number}"
    docx_file = store_upload(
        actor=actor,
        upload=SimpleUploadedFile(f"{stem}.docx", docx, content_type=DOCX_TYPE),
        allowed={"docx"},
        max_bytes=max(len(docx), 1),
    )
    pdf_file = store_upload(
        actor=actor,
        upload=SimpleUploadedFile(f"{stem}.pdf", pdf, content_type="application/pdf"),
        allowed={"pdf"},
        max_bytes=max(len(pdf), 1),
    )
    return CaseInstrument.objects.create(
        case=case,
        kind=kind,
        number=number,
        file_docx=docx_file,
        file_pdf=pdf_file,
        created_by=actor,
    )
