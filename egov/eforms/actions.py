"""Writes of the eforms app: drafts, published versions and submitted data."""

import json
import re

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.eforms import validation
from egov.eforms.models import FormDefinition, FormSubmission
from egov.eforms.permissions import form_policy

KEY_RE = re.compile(r"[a-z][a-z0-9_-]{1,63}")
# A form schema is a page of configuration, never a payload.
MAX_SCHEMA_BYTES = 512 * 1024


def _schema_problems(schema) -> list[str]:
    try:
        size = len(json.dumps(schema, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        return [_("表单定义不是有效的 JSON")]
    if size > MAX_SCHEMA_BYTES:
        return [_("表单定义过大（不能超过 512 KB）")]
    try:
        validation.check_schema(schema)
    except validation.SchemaInvalid as exc:
        return exc.problems
    return []


def _refuse_schema(problems: list[str]):
    raise ActionError(
        _("表单定义有误：%(p)s") % {"p": "；".join(problems)},
        code="invalid_form_schema",
        fields={"schema": problems},
    )


@audited("eforms.save_form_draft")
def save_form_draft(*, actor, key: str, name: str, schema) -> FormDefinition:
    """Save the draft of form `key`, creating it (as the next version) if needed.

    Published versions never change. Refuses a bad key, an empty name or a
    schema the server could not enforce, naming every problem.
    """
    form_policy.require(actor, "save_draft")
    key = (key or "").strip()
    name = (name or "").strip()
    if not KEY_RE.fullmatch(key):
        raise ActionError(
            _("表单标识须为2至64位小写字母、数字、下划线或连字符，且以字母开头"),
            code="invalid_form_key",
            fields={"key": [_("表单标识格式不正确")]},
        )
    if not name or len(name) > 200 or "\x00" in name:
        raise ActionError(
            _("请填写表单名称（不超过200字）"),
            code="invalid_form_name",
            fields={"name": [_("请填写表单名称（不超过200字）")]},
        )
    problems = _schema_problems(schema)
    if problems:
        _refuse_schema(problems)
    now = timezone.now()
    draft = (
        FormDefinition.objects.select_for_update()
        .filter(key=key, published=False)
        .first()
    )
    created = draft is None
    if created:
        latest = FormDefinition.objects.filter(key=key).aggregate(v=Max("version"))
        try:
            with transaction.atomic():
                draft = FormDefinition.objects.create(
                    key=key,
                    name=name,
                    version=(latest["v"] or 0) + 1,
                    schema=schema,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise ActionError(
                _("该表单正在被他人同时修改，请刷新后重试"), code="form_draft_conflict"
            ) from None
    else:
        draft.name = name
        draft.schema = schema
        draft.updated_at = now
        draft.save(update_fields=["name", "schema", "updated_at"])
    record(
        actor=actor,
        action="eforms.save_form_draft",
        target=draft,
        detail={"key": key, "version": draft.version, "created": created},
    )
    return draft


@audited("eforms.publish_form")
def publish_form(*, actor, key: str) -> FormDefinition:
    """Publish the draft of form `key` as a new, frozen version.

    Refuses when there is no draft, when its schema is not enforceable, or when
    it is identical to the latest published version.
    """
    form_policy.require(actor, "publish")
    draft = (
        FormDefinition.objects.select_for_update()
        .filter(key=key, published=False)
        .first()
    )
    if draft is None:
        raise ActionError(_("该表单没有待发布的草稿"), code="no_form_draft")
    problems = _schema_problems(draft.schema)
    if problems:
        _refuse_schema(problems)
    previous = (
        FormDefinition.objects.filter(key=key, published=True)
        .order_by("-version")
        .first()
    )
    if previous is not None and previous.schema == draft.schema:
        raise ActionError(
            _("草稿与已发布的第%(v)s版完全相同，无需再次发布")
            % {"v": previous.version},
            code="form_unchanged",
        )
    draft.published = True
    draft.published_by = actor
    draft.published_at = timezone.now()
    draft.save(update_fields=["published", "published_by", "published_at"])
    record(
        actor=actor,
        action="eforms.publish_form",
        target=draft,
        detail={"key": key, "version": draft.version, "name": draft.name},
    )
    return draft


@audited("eforms.submit_form_data")
def submit_form_data(
    *,
    actor,
    form: FormDefinition,
    data,
    modes: dict[str, str] | None = None,
    stored: dict | None = None,
    process_instance_ref: str = "",
    task_ref: str = "",
) -> FormSubmission:
    """Check `data` against the published form version and store it.

    `modes` are the task's field modes and `stored` the data saved before:
    read-only and hidden fields keep their stored values whatever arrives. The
    caller (the workflow engine) has already checked that `actor` may act on
    the task. Refusal: ActionError code "invalid_form_data" with `fields`
    mapping data paths to Chinese messages.
    """
    if not form.published:
        raise ActionError(_("表单尚未发布，不能提交数据"), code="form_not_published")
    try:
        cleaned = validation.clean_data(form.schema, data, modes=modes, stored=stored)
    except validation.FormDataInvalid as exc:
        raise ActionError(
            _("表单填写有误，请按提示修改后重新提交"),
            code="invalid_form_data",
            fields=exc.errors,
            target=form,
        ) from None
    submission = FormSubmission.objects.create(
        form=form,
        data=cleaned,
        submitted_by=actor,
        process_instance_ref=str(process_instance_ref)[:64],
        task_ref=str(task_ref)[:64],
    )
    record(
        actor=actor,
        action="eforms.submit_form_data",
        target=submission,
        detail={
            "form": form.key,
            "version": form.version,
            "process_instance": submission.process_instance_ref,
            "task": submission.task_ref,
            "fields": sorted(cleaned),
        },
    )
    return submission
