"""Reading templates for 文书模板: every registered code with its row (if
any), and fetch-and-check lookups that answer 404."""

from dataclasses import dataclass

from django.http import Http404

from egov.docgen.models import DocumentTemplate, DocumentTemplateVersion
from egov.docgen.permissions import docgen_policy
from egov.docgen.registry import TemplateSpec, all_specs, get_spec


@dataclass
class TemplateRow:
    spec: TemplateSpec
    template: DocumentTemplate | None

    @property
    def active_number(self) -> int | None:
        version = self.template and self.template.active_version
        return version.number if version else None

    @property
    def version_count(self) -> int:
        return self.template.version_count if self.template else 0


def template_rows(viewer) -> list[TemplateRow]:
    """Every registered template, in code order; none without permission."""
    from django.db.models import Count

    if not docgen_policy.can(viewer, "view_templates"):
        return []
    stored = {
        t.code: t
        for t in DocumentTemplate.objects.select_related(
            "active_version", "active_version__uploaded_by"
        ).annotate(version_count=Count("versions"))
    }
    return [TemplateRow(spec, stored.get(spec.code)) for spec in all_specs()]


def get_spec_for(viewer, code: str) -> TemplateSpec:
    """The registered spec of `code`; 404 when unknown or not allowed."""
    spec = get_spec(code)
    if spec is None or not docgen_policy.can(viewer, "view_templates"):
        raise Http404
    return spec


def versions_of(viewer, code: str):
    get_spec_for(viewer, code)
    return DocumentTemplateVersion.objects.filter(template__code=code).select_related(
        "file", "uploaded_by", "template"
    )


def get_version_for(viewer, code: str, number: int) -> DocumentTemplateVersion:
    version = versions_of(viewer, code).filter(number=number).first()
    if version is None:
        raise Http404
    return version
