"""Reads of the eforms app. Pages go through the viewer-aware functions; the
workflow engine uses the plain look-ups of published versions."""

from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.http import Http404

from egov.eforms import validation
from egov.eforms.models import FormDefinition, FormSubmission
from egov.eforms.permissions import form_policy


@dataclass
class FormSummary:
    key: str
    name: str
    latest_version: int
    published_version: int | None
    has_draft: bool
    version_count: int


def forms_for(viewer, *, search: str = "") -> list[FormSummary]:
    """One line per form key the viewer may see, newest name first."""
    if not form_policy.can(viewer, "view"):
        return []
    rows = FormDefinition.objects.all()
    if search:
        rows = rows.filter(Q(key__icontains=search) | Q(name__icontains=search))
    grouped = (
        rows.values("key")
        .annotate(
            latest=Max("version"),
            published_version=Max("version", filter=Q(published=True)),
            drafts=Count("id", filter=Q(published=False)),
            versions=Count("id"),
        )
        .order_by("key")
    )
    names = dict(
        FormDefinition.objects.filter(
            Q(*[Q(key=g["key"], version=g["latest"]) for g in grouped], _connector="OR")
        ).values_list("key", "name")
        if grouped
        else []
    )
    return [
        FormSummary(
            key=g["key"],
            name=names.get(g["key"], g["key"]),
            latest_version=g["latest"],
            published_version=g["published_version"],
            has_draft=bool(g["drafts"]),
            version_count=g["versions"],
        )
        for g in grouped
    ]


def versions_for(viewer, key: str) -> list[FormDefinition]:
    """Every version of form `key`, newest first; 404 when missing or not visible."""
    if not form_policy.can(viewer, "view"):
        raise Http404
    versions = list(
        FormDefinition.objects.filter(key=key)
        .select_related("created_by", "published_by")
        .order_by("-version")
    )
    if not versions:
        raise Http404
    return versions


def get_form_for(viewer, key: str, version: int) -> FormDefinition:
    if not form_policy.can(viewer, "view"):
        raise Http404
    form = FormDefinition.objects.filter(key=key, version=version).first()
    if form is None:
        raise Http404
    return form


def editable_form_for(viewer, key: str) -> FormDefinition:
    """What the designer opens for `key`: its draft, else its latest version."""
    if not form_policy.can(viewer, "view"):
        raise Http404
    form = (
        FormDefinition.objects.filter(key=key).order_by("published", "-version").first()
    )
    if form is None:
        raise Http404
    return form


def latest_published(key: str) -> FormDefinition | None:
    """The newest published version of form `key`, for starting new work."""
    return (
        FormDefinition.objects.filter(key=key, published=True)
        .order_by("-version")
        .first()
    )


def published_version(key: str, version: int) -> FormDefinition | None:
    return FormDefinition.objects.filter(
        key=key, version=version, published=True
    ).first()


def published_forms() -> list[dict]:
    """Latest published version of each form with its data fields, for the
    process designer's form picker: [{key, name, version, fields: [...]}]."""
    latest = (
        FormDefinition.objects.filter(published=True)
        .values("key")
        .annotate(version=Max("version"))
    )
    wanted = Q(
        *[Q(key=r["key"], version=r["version"]) for r in latest], _connector="OR"
    )
    forms = FormDefinition.objects.filter(wanted).order_by("key") if latest else []
    result = []
    for form in forms:
        try:
            fields = validation.schema_fields(form.schema)
        except validation.SchemaInvalid:
            fields = []
        result.append(
            {
                "key": form.key,
                "name": form.name,
                "version": form.version,
                "fields": fields,
            }
        )
    return result


def latest_submission(*, process_instance_ref: str, form_key: str | None = None):
    """The newest data submitted in a process instance (optionally on one form)."""
    rows = FormSubmission.objects.filter(process_instance_ref=str(process_instance_ref))
    if form_key:
        rows = rows.filter(form__key=form_key)
    return rows.select_related("form").order_by("-submitted_at", "-id").first()


def task_view(form: FormDefinition, *, data=None, modes=None) -> dict:
    """What a task page's form widget loads: the schema and data as this task
    may see them (hidden fields removed, read-only fields marked)."""
    return {
        "schema": validation.schema_for_modes(form.schema, modes),
        "data": validation.data_for_modes(form.schema, data, modes),
    }
