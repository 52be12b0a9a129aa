"""The workflow's side of electronic forms (egov.eforms): which form version a
task shows, and checking what a handler submits against it.

A node names a form by key (and optionally a version) with per-field modes
(editable / readonly / hidden). A task keeps the version that was published
when it arrived, so a form republished meanwhile does not change under a
handler's hands.
"""

from django.apps import apps
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _

from egov.core.errors import ActionError

TASK_FORM_TEMPLATE = "eforms/_task_form.html"


def available() -> bool:
    return apps.is_installed("egov.eforms")


def widget_available() -> bool:
    """Whether the eforms app provides the task page's form widget."""
    if not available():
        return False
    try:
        get_template(TASK_FORM_TEMPLATE)
    except TemplateDoesNotExist:
        return False
    return True


def version_for(form_config: dict | None) -> int | None:
    """The form version a new task uses: the pinned one, or the latest published."""
    if not form_config or not form_config.get("key") or not available():
        return None
    if form_config.get("version"):
        return form_config["version"]
    from egov.eforms.queries import latest_published

    form = latest_published(form_config["key"])
    return form.version if form else None


def _form(key: str, version: int | None):
    from egov.eforms.queries import latest_published, published_version

    form = published_version(key, version) if version else latest_published(key)
    if form is None:
        raise ActionError(
            _("表单 %(key)s 尚未发布，暂不能办理，请联系表单管理员") % {"key": key},
            code="form_not_published",
        )
    return form


def clean(*, actor, key, version, modes, data, stored, instance_ref, task_ref):
    """The submitted data checked against the form (eforms stores a copy).

    Raises ActionError (invalid_form_data with field messages) when refused.
    Without the eforms app the data is returned as given.
    """
    if not key or not available():
        return data
    from egov.eforms.actions import submit_form_data

    submission = submit_form_data(
        actor=actor,
        form=_form(key, version),
        data=data,
        modes=modes or {},
        stored=stored,
        process_instance_ref=str(instance_ref),
        task_ref=str(task_ref),
    )
    return submission.data


def task_view(task, instance, modes) -> dict:
    """{"schema", "data"} for the form widget of a task page."""
    from egov.eforms.queries import task_view as eforms_task_view

    form = _form(task.form_key, task.form_version)
    return eforms_task_view(form, data=instance.data, modes=modes)
