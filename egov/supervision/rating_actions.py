"""好差评 writes: rating a concluded case (online, or by phone through 回访
staff) or a window visit, and the department's rectification of an
unsatisfied rating (call-backs, the reply to the rater, closing, the appeal and
its review).

Every action runs in one transaction behind `audited`, checks who may act and
in which state, and writes its audit entry; a refusal raises ActionError with
a message in Chinese and leaves nothing written.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import record
from egov.core import sms
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.supervision.models import (
    COMMENT_MAX_LENGTH,
    TAGS,
    CallBack,
    Level,
    Rectification,
    ServiceRating,
    ServiceWindow,
)
from egov.supervision.permissions import supervision_policy
from egov.supervision.window_actions import ACTION_LABELS as WINDOW_ACTION_LABELS

logger = logging.getLogger("egov.supervision")

ACTION_LABELS = {
    "supervision.rate_case": gettext_lazy("评价办件"),
    "supervision.rate_case_by_phone": gettext_lazy("登记电话评价"),
    "supervision.rate_window": gettext_lazy("评价窗口服务"),
    "supervision.record_callback": gettext_lazy("记录整改回访"),
    "supervision.reply_rectification": gettext_lazy("答复评价人"),
    "supervision.close_rectification": gettext_lazy("办结整改工单"),
    "supervision.appeal_rating": gettext_lazy("申诉差评"),
    "supervision.review_appeal": gettext_lazy("审核差评申诉"),
    **WINDOW_ACTION_LABELS,
}

State = Rectification.State
TEXT_MAX_LENGTH = 2000


def rectification_limit() -> int:
    """The rectification limit in working days (EGOV_RECTIFICATION_WORKDAYS)."""
    return int(getattr(settings, "EGOV_RECTIFICATION_WORKDAYS", 15))


def _clean_rating(level, comment, tags) -> tuple[int, str, list[str]]:
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ActionError(
            _("请选择评价等级"), code="bad_level", fields={"level": _("请选择评价等级")}
        )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        message = _("评价内容不能超过%(n)d个字") % {"n": COMMENT_MAX_LENGTH}
        raise ActionError(message, code="comment_too_long", fields={"comment": message})
    allowed = [str(tag) for tag in TAGS[level]]
    chosen = []
    for tag in tags or ():
        tag = str(tag).strip()
        if tag not in allowed:
            message = _("“%(tag)s”不是“%(level)s”可选的标签") % {
                "tag": tag[:20],
                "level": Level(level).label,
            }
            raise ActionError(message, code="bad_tag", fields={"tags": message})
        if tag not in chosen:
            chosen.append(tag)
    return level, comment, chosen


def _text(value, *, field: str, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        message = _("请填写%(label)s") % {"label": label}
        raise ActionError(message, code=f"{field}_required", fields={field: message})
    if len(value) > TEXT_MAX_LENGTH:
        message = _("%(label)s不能超过%(n)d个字") % {
            "label": label,
            "n": TEXT_MAX_LENGTH,
        }
        raise ActionError(message, code=f"{field}_too_long", fields={field: message})
    return value


def _department_handlers(rectification: Rectification):
    """Active staff who may handle `rectification`: holders of a post in its
    organization or above it whose data scope reaches it."""
    from egov.identity.models import User

    path = rectification.organization.path.strip("/")
    ancestor_ids = [int(part) for part in path.split("/") if part]
    candidates = User.objects.filter(
        is_active=True,
        post_assignments__post__organization_id__in=ancestor_ids,
        post_assignments__post__is_active=True,
        roles__is_active=True,
        roles__permissions__codename="handle_rectification",
        roles__permissions__content_type__app_label="supervision",
    ).distinct()
    return [
        user
        for user in candidates[:200]
        if supervision_policy.can(user, "handle_rectification", rectification)
    ]


def _open_rectification(rating: ServiceRating, now: datetime) -> Rectification:
    from egov.workflow.models import Notification

    rectification = Rectification.objects.create(
        rating=rating,
        organization=rating.organization,
        opened_at=now,
        limit_workdays=rectification_limit(),
    )
    title = _("新的好差评整改工单：%(subject)s（%(level)s）") % {
        "subject": rating.subject,
        "level": rating.get_level_display(),
    }
    try:
        url = reverse("rectifications:detail", args=[rectification.pk])
    except NoReverseMatch:
        url = ""
    for user in _department_handlers(rectification):
        Notification.objects.create(
            user=user, kind=Notification.Kind.TASK, title=title[:200], url=url
        )
    return rectification


def _after_rating(rating: ServiceRating, now: datetime) -> Rectification | None:
    if rating.is_unsatisfied:
        return _open_rectification(rating, now)
    return None


def _rate_concluded_case(
    *,
    actor,
    case,
    level,
    comment,
    tags,
    channel: str,
    already_rated,
    audit_action: str,
    event_note,
    event_detail: dict | None = None,
    audit_detail: dict | None = None,
    rating_fields: dict | None = None,
) -> ServiceRating:
    """What every channel's rating of a case shares, once the caller has
    checked who may rate: the case must be concluded and not yet rated (once
    per case, whatever the channel; `already_rated` is the refusal's message),
    the rating is the applicant's (their account, none for an applicant
    without one), 不满意 and 非常不满意 open a rectification, and the case
    timeline and the audit log get their entries.

    `event_note(rating)` gives the timeline's note; `event_detail` and
    `audit_detail` add to the level and tags both record; `rating_fields`
    are the channel's own fields of the rating."""
    from egov.servicehall.case_common import add_event
    from egov.servicehall.models import Case

    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_concluded:
        raise ActionError(
            _("办件办结后才能评价"), code="case_not_concluded", target=case
        )
    if channel not in ServiceRating.Channel.values:
        raise ActionError(_("评价渠道无效"), code="bad_channel", target=case)
    if ServiceRating.objects.filter(case=case).exists():
        raise ActionError(already_rated, code="already_rated", target=case)
    level, comment, tags = _clean_rating(level, comment, tags)
    now = timezone.now()
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                case=case,
                organization_id=case.organization_id,
                item_id=case.item_id,
                staff_id=case.accepted_by_id,
                rater_id=case.applicant_id,
                level=level,
                comment=comment,
                tags=tags,
                channel=channel,
                **(rating_fields or {}),
            )
    except IntegrityError:
        # Rated meanwhile by another channel; any other broken rule is a bug
        # in the caller and goes up as it is.
        if ServiceRating.objects.filter(case=case).exists():
            raise ActionError(
                already_rated, code="already_rated", target=case
            ) from None
        raise
    rectification = _after_rating(rating, now)
    add_event(
        case,
        "rated",
        actor=actor,
        note=event_note(rating),
        public_note=_("申请人已评价"),
        detail={"level": level, "tags": tags, **(event_detail or {})},
    )
    record(
        actor=actor,
        action=audit_action,
        target=case,
        detail={
            "level": level,
            "tags": tags,
            "rectification": rectification.pk if rectification else None,
            **(audit_detail or {}),
        },
    )
    return rating


@audited("supervision.rate_case", target_kwarg="case")
def rate_case(
    *,
    actor,
    case,
    level,
    comment: str = "",
    tags=(),
    channel: str = ServiceRating.Channel.WEB,
) -> ServiceRating:
    """The applicant rates their concluded case, once. 不满意 and 非常不满意
    open a rectification for the case's implementing organization."""
    if actor is None or not actor.is_authenticated or case.applicant_id != actor.pk:
        raise PermissionDenied(_("只有办件的申请人可以评价"), target=case)
    return _rate_concluded_case(
        actor=actor,
        case=case,
        level=level,
        comment=comment,
        tags=tags,
        channel=channel,
        already_rated=_("您已评价过此办件，每个办件只能评价一次"),
        audit_action="supervision.rate_case",
        event_note=lambda rating: (
            _("评价：%(level)s") % {"level": rating.get_level_display()}
        ),
    )


@audited("supervision.rate_case_by_phone", target_kwarg="case")
def rate_case_by_phone(
    *,
    actor,
    case,
    level,
    called_at,
    consented: bool,
    comment: str = "",
    tags=(),
) -> ServiceRating:
    """电话评价: 回访 staff record the rating the applicant of a concluded case
    gave on the phone at `called_at`, with the applicant's consent to have it
    recorded for them. The rating is the applicant's (channel 电话评价), under
    the same rules as rating online: once per case, whatever the channel, and
    不满意 or 非常不满意 open a rectification. It works as well for a case a
    window entered for an applicant without an account: the rating then has
    no rater account and the case names the applicant. The rating keeps who
    recorded it, the call time and the consent. The applicant is told (site
    message when they have an account, SMS to the case's contact phone when
    there is one), so a rating they did not give does not go unnoticed."""
    from egov.servicehall.notify import notify_applicant

    supervision_policy.require(actor, "record_phone_rating", case)
    if actor.pk in (case.applicant_id, case.accepted_by_id):
        raise ActionError(
            _("不能为本人申请或本人受理的办件登记评价"),
            code="own_case",
            target=case,
        )
    if consented is not True:
        message = _("请确认申请人同意由回访人员代为登记本次评价")
        raise ActionError(
            message, code="consent_required", fields={"consented": message}
        )
    called_at = _called_at(called_at, case)
    shown_at = timezone.localtime(called_at).strftime("%Y-%m-%d %H:%M")
    rating = _rate_concluded_case(
        actor=actor,
        case=case,
        level=level,
        comment=comment,
        tags=tags,
        channel=ServiceRating.Channel.PHONE,
        already_rated=_("该办件已有评价，每个办件只能评价一次"),
        audit_action="supervision.rate_case_by_phone",
        event_note=lambda rating: (
            _("电话回访评价：%(level)s（回访时间%(at)s，申请人同意代为登记）")
            % {"level": rating.get_level_display(), "at": shown_at}
        ),
        event_detail={
            "channel": ServiceRating.Channel.PHONE,
            "called_at": called_at.isoformat(),
            "consented": True,
        },
        audit_detail={"called_at": called_at.isoformat(), "consented": True},
        rating_fields={"recorded_by": actor, "called_at": called_at, "consented": True},
    )
    notify_applicant(
        case,
        "rated_by_phone",
        called_at=shown_at,
        level=str(rating.get_level_display()),
    )
    return rating


def _called_at(value, case) -> datetime:
    """The call time: given, not in the future, not before the case
    concluded (forms give minutes, so the minute it concluded counts)."""
    if not isinstance(value, datetime):
        message = _("请填写回访时间")
        raise ActionError(
            message, code="called_at_required", fields={"called_at": message}
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    concluded = case.concluded_at
    if concluded is not None:
        concluded = concluded.replace(second=0, microsecond=0)
    if value > timezone.now() or (concluded is not None and value < concluded):
        message = _("回访时间应在办结之后、当前时间之前")
        raise ActionError(message, code="bad_called_at", fields={"called_at": message})
    return value


@audited("supervision.rate_window", target_kwarg="window")
def rate_window(
    *, actor, window: ServiceWindow, level, comment: str = "", tags=()
) -> ServiceRating:
    """A signed-in applicant rates a visit at `window`; the window's staff on
    duty is recorded. One rating per person, window and day."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("请先登录后再评价"), target=window)
    if not window.is_active:
        raise ActionError(_("该窗口已停用"), code="window_inactive", target=window)
    level, comment, tags = _clean_rating(level, comment, tags)
    now = timezone.now()
    day_start = timezone.localtime(now).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    ServiceWindow.objects.select_for_update().filter(pk=window.pk).first()
    if ServiceRating.objects.filter(
        window=window, rater=actor, created_at__gte=day_start
    ).exists():
        raise ActionError(
            _("您今天已评价过该窗口，请勿重复评价"),
            code="already_rated_today",
            target=window,
        )
    rating = ServiceRating.objects.create(
        window=window,
        organization_id=window.organization_id,
        staff_id=window.staff_id,
        rater=actor,
        level=level,
        comment=comment,
        tags=tags,
        channel=ServiceRating.Channel.WINDOW,
    )
    rectification = _after_rating(rating, now)
    record(
        actor=actor,
        action="supervision.rate_window",
        target=window,
        detail={
            "level": level,
            "tags": tags,
            "rectification": rectification.pk if rectification else None,
        },
    )
    return rating


# --- rectification ---------------------------------------------------------


def _lock(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update()
        .select_related("rating")
        .get(pk=rectification.pk)
    )


def _require_state(rectification, states, message, code):
    if rectification.state not in states:
        raise ActionError(message, code=code, target=rectification)


def _require_handler(actor, rectification):
    supervision_policy.require(actor, "handle_rectification", rectification)


@audited("supervision.record_callback", target_kwarg="rectification")
def record_callback(
    *, actor, rectification: Rectification, called_at, contact: str, content: str
) -> CallBack:
    """回访: the department records when it called the rater, whom it reached
    and what was said (while the rectification is open)."""
    _require_handler(actor, rectification)
    rectification = _lock(rectification)
    _require_state(
        rectification,
        (State.OPEN,),
        _("只有整改中的工单可以记录回访"),
        "rectification_not_open",
    )
    contact = _text(contact, field="contact", label=_("回访对象"))[:100]
    content = _text(content, field="content", label=_("回访内容"))
    if not isinstance(called_at, datetime):
        message = _("请填写回访时间")
        raise ActionError(
            message, code="called_at_required", fields={"called_at": message}
        )
    if timezone.is_naive(called_at):
        called_at = timezone.make_aware(called_at)
    # Forms give minutes: a call-back in the minute the order was opened counts.
    opened = rectification.opened_at.replace(second=0, microsecond=0)
    if called_at > timezone.now() or called_at < opened:
        message = _("回访时间应在派单之后、当前时间之前")
        raise ActionError(message, code="bad_called_at", fields={"called_at": message})
    callback = CallBack.objects.create(
        rectification=rectification,
        called_at=called_at,
        contact=contact,
        content=content,
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="supervision.record_callback",
        target=rectification,
        detail={"called_at": called_at.isoformat(), "contact": contact},
    )
    return callback


def _send_sms_after_commit(phone: str, text: str, rating: ServiceRating) -> None:
    def deliver():
        try:
            sms.send_sms(phone, text)
        except Exception:
            logger.exception("SMS for rating %s failed", rating.pk)

    transaction.on_commit(deliver)


# The reply quoted in a text message to an applicant without an account.
SMS_REPLY_MAX_LENGTH = 300


def _tell_rater(
    rating: ServiceRating, title: str, body: str, *, organization: str
) -> None:
    """The rater's site message and SMS: through the case's channel for a case
    rating, directly for a window visit. An applicant without an account
    cannot log in to read the reply, so their SMS to the case's contact phone
    carries the reply itself; no phone, no SMS."""
    if rating.case_id is not None:
        case = rating.case
        if case.applicant_id is not None:
            from egov.servicehall.notify import notify_applicant

            notify_applicant(case, "rectified", title=title, body=body)
            return
        phone = case.contact_phone
        if phone:
            reply = body
            if len(reply) > SMS_REPLY_MAX_LENGTH:
                reply = reply[: SMS_REPLY_MAX_LENGTH - 1] + "…"
            text = _("【%(site)s】%(org)s已答复您对办件%(number)s的评价：%(reply)s") % {
                "site": settings.EGOV_SITE_NAME,
                "org": organization,
                "number": case.number,
                "reply": reply,
            }
            _send_sms_after_commit(phone, text, rating)
        return
    from egov.workflow.models import Notification

    try:
        url = reverse("ratings:mine")
    except NoReverseMatch:
        url = ""
    Notification.objects.create(
        user=rating.rater,
        kind=Notification.Kind.CASE,
        title=title[:200],
        body=body,
        url=url,
    )
    phone = rating.rater.phone
    if phone:
        text = _("【%(site)s】%(title)s") % {
            "site": settings.EGOV_SITE_NAME,
            "title": title,
        }
        _send_sms_after_commit(phone, text, rating)


@audited("supervision.reply_rectification", target_kwarg="rectification")
def reply_rectification(
    *, actor, rectification: Rectification, reply: str
) -> Rectification:
    """The department's reply to the rater, shown on the rater's case page and
    sent to them by site message and SMS. A later reply replaces it."""
    _require_handler(actor, rectification)
    rectification = _lock(rectification)
    _require_state(
        rectification,
        (State.OPEN,),
        _("只有整改中的工单可以答复评价人"),
        "rectification_not_open",
    )
    reply = _text(reply, field="reply", label=_("整改答复"))
    rectification.reply = reply
    rectification.replied_at = timezone.now()
    rectification.replied_by = actor
    rectification.save(update_fields=["reply", "replied_at", "replied_by"])
    rating = rectification.rating
    organization = rectification.organization.name
    _tell_rater(
        rating,
        _("%(org)s已答复您的评价") % {"org": organization},
        reply,
        organization=organization,
    )
    record(
        actor=actor,
        action="supervision.reply_rectification",
        target=rectification,
        detail={"length": len(reply)},
    )
    return rectification


@audited("supervision.close_rectification", target_kwarg="rectification")
def close_rectification(
    *, actor, rectification: Rectification, note: str = ""
) -> Rectification:
    """办结: once the rater has been called back and replied to."""
    _require_handler(actor, rectification)
    rectification = _lock(rectification)
    _require_state(
        rectification,
        (State.OPEN,),
        _("只有整改中的工单可以办结"),
        "rectification_not_open",
    )
    if not rectification.callbacks.exists():
        raise ActionError(
            _("请先记录回访情况再办结"), code="no_callback", target=rectification
        )
    if not rectification.reply:
        raise ActionError(
            _("请先答复评价人再办结"), code="no_reply", target=rectification
        )
    note = _text(note, field="note", label=_("办结说明"), required=False)
    rectification.state = State.CLOSED
    rectification.closed_at = timezone.now()
    rectification.closed_by = actor
    rectification.closing_note = note
    rectification.save(
        update_fields=["state", "closed_at", "closed_by", "closing_note"]
    )
    record(actor=actor, action="supervision.close_rectification", target=rectification)
    return rectification


@audited("supervision.appeal_rating", target_kwarg="rectification")
def appeal_rating(*, actor, rectification: Rectification, reason: str) -> Rectification:
    """申诉: the department asks the supervisor to set aside a malicious
    rating. One appeal per rectification."""
    _require_handler(actor, rectification)
    rectification = _lock(rectification)
    _require_state(
        rectification,
        (State.OPEN,),
        _("只有整改中的工单可以申诉"),
        "rectification_not_open",
    )
    if rectification.appeal_decision:
        raise ActionError(
            _("该评价已申诉过，不能再次申诉"),
            code="already_appealed",
            target=rectification,
        )
    reason = _text(reason, field="reason", label=_("申诉理由"))
    rectification.state = State.APPEALING
    rectification.appeal_reason = reason
    rectification.appealed_at = timezone.now()
    rectification.appealed_by = actor
    rectification.save(
        update_fields=["state", "appeal_reason", "appealed_at", "appealed_by"]
    )
    record(
        actor=actor,
        action="supervision.appeal_rating",
        target=rectification,
        detail={"reason": reason[:200]},
    )
    return rectification


@audited("supervision.review_appeal", target_kwarg="rectification")
def review_appeal(
    *, actor, rectification: Rectification, uphold: bool, note: str = ""
) -> Rectification:
    """The supervisor upholds the appeal (the rating is marked and leaves the
    statistics; the rectification ends) or rejects it (it goes on)."""
    supervision_policy.require(actor, "review_appeal", rectification)
    rectification = _lock(rectification)
    _require_state(
        rectification,
        (State.APPEALING,),
        _("该工单没有待审核的申诉"),
        "no_pending_appeal",
    )
    if actor.pk == rectification.appealed_by_id:
        raise ActionError(
            _("不能审核本人提出的申诉"), code="own_appeal", target=rectification
        )
    if actor.pk == rectification.rating.recorded_by_id:
        # Whoever took the rating down on the phone is a party to it.
        raise ActionError(
            _("不能审核针对本人登记的电话评价的申诉"),
            code="own_phone_rating",
            target=rectification,
        )
    note = _text(note, field="note", label=_("审核意见"), required=not uphold)
    decision = (
        Rectification.AppealDecision.UPHELD
        if uphold
        else Rectification.AppealDecision.REJECTED
    )
    rectification.appeal_decision = decision
    rectification.appeal_note = note
    rectification.appeal_reviewed_at = timezone.now()
    rectification.appeal_reviewed_by = actor
    rectification.state = State.EXCLUDED if uphold else State.OPEN
    rectification.save(
        update_fields=[
            "appeal_decision",
            "appeal_note",
            "appeal_reviewed_at",
            "appeal_reviewed_by",
            "state",
        ]
    )
    if uphold:
        rating = rectification.rating
        rating.excluded = True
        rating.excluded_reason = rectification.appeal_reason[:500]
        rating.save(update_fields=["excluded", "excluded_reason"])
    record(
        actor=actor,
        action="supervision.review_appeal",
        target=rectification,
        detail={"decision": decision, "note": note[:200]},
    )
    return rectification
