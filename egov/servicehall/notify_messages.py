"""The texts of the messages an applicant gets about their case.

Each event has a title (the site message's title and the e-mail's subject),
a paragraph (the site message's body and the e-mail's text), a short SMS, and
optional detail lines that appear when the caller gives their value (理由,
需补正的材料, 办结日期…). Texts are gettext strings with the Chinese as msgid
and named placeholders, so the English catalog translates them; they are
rendered in the platform's language (Chinese) unless a language is asked for.
The e-mail wraps them in templates/servicehall/notify/email.txt and
email.html.

Every text may use the case's own values:

- number: the case number; lookup_code: the 查询码;
- item: the item's name under the case's version; organization: the
  implementing organization; applicant: the applicant's name;
- site: the platform's name (EGOV_SITE_NAME).

Event-specific values (all optional unless marked; see EVENTS):

- deadline: a date or datetime (the promised 办结 date after acceptance,
  extension and resumption is computed from the case when not given);
- reason: 理由 (refusal, denial, suspension, extension, revocation);
- materials: what to correct, a list of names or a string; note: 说明;
- decision_number: 决定文号; licence_name, licence_number: the e-licence
  (licence_name defaults to the item's licence type, else the item);
- reply: the department's answer after a rectification (整改答复);
- level, called_at: a rating's level and when the applicant was called
  (电话回访, given as text).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Detail lines: the context key and its label; shown when the value is given.
LINE_LABELS = {
    "materials": _("需补正的材料"),
    "note": _("说明"),
    "reason": _("理由"),
    "deadline": _("办结日期"),
    "decision_number": _("决定文号"),
    "licence_number": _("证照编号"),
    "reply": _("答复"),
}


@dataclass(frozen=True)
class Event:
    title: str
    body: str
    sms: str
    lines: tuple[str, ...] = ()
    # Values the caller should give (documentation and tests; a missing one
    # leaves its line out rather than failing the action).
    expects: tuple[str, ...] = ()


EVENTS: dict[str, Event] = {
    "case_submitted": Event(
        _("申请已提交：%(item)s"),
        _(
            "您申请的「%(item)s」已提交至%(organization)s，办件编号%(number)s，"
            "查询码%(lookup_code)s。受理结果将另行通知。"
        ),
        _("您申请的%(item)s已提交，办件编号%(number)s，查询码%(lookup_code)s。"),
    ),
    "case_accepted": Event(
        _("已受理：%(item)s"),
        _("%(organization)s已受理您申请的「%(item)s」（办件编号%(number)s）。"),
        _("您申请的%(item)s（办件编号%(number)s）已受理，承诺%(deadline)s前办结。"),
        lines=("deadline",),
        expects=("deadline",),
    ),
    "case_refused": Event(
        _("不予受理：%(item)s"),
        _("%(organization)s决定对您申请的「%(item)s」（办件编号%(number)s）不予受理。"),
        _("您申请的%(item)s（办件编号%(number)s）不予受理，理由请登录查看。"),
        lines=("reason",),
        expects=("reason",),
    ),
    "correction_requested": Event(
        _("请补正材料：%(item)s"),
        _(
            "您申请的「%(item)s」（办件编号%(number)s）需要补正材料，"
            "请按下列告知一次补齐后重新提交。"
        ),
        _("您申请的%(item)s（办件编号%(number)s）需补正材料，请登录查看并补正。"),
        lines=("materials", "note"),
        expects=("materials",),
    ),
    "case_resubmitted": Event(
        _("补正材料已提交：%(item)s"),
        _(
            "您补正后的「%(item)s」申请（办件编号%(number)s）已重新提交，"
            "%(organization)s将继续审查。"
        ),
        _("您申请的%(item)s（办件编号%(number)s）补正材料已提交。"),
    ),
    "case_extended": Event(
        _("办理期限延长：%(item)s"),
        _("经批准，您申请的「%(item)s」（办件编号%(number)s）办理期限延长。"),
        _(
            "您申请的%(item)s（办件编号%(number)s）办理期限延长，"
            "延长后%(deadline)s前办结。"
        ),
        lines=("deadline", "reason"),
        expects=("deadline", "reason"),
    ),
    "case_suspended": Event(
        _("办件中止：%(item)s"),
        _(
            "您申请的「%(item)s」（办件编号%(number)s）中止办理，"
            "中止期间不计入办理时限。"
        ),
        _("您申请的%(item)s（办件编号%(number)s）中止办理，中止期间不计时。"),
        lines=("reason",),
        expects=("reason",),
    ),
    "case_resumed": Event(
        _("恢复办理：%(item)s"),
        _("您申请的「%(item)s」（办件编号%(number)s）已恢复办理。"),
        _("您申请的%(item)s（办件编号%(number)s）已恢复办理。"),
        lines=("deadline",),
    ),
    "case_approved": Event(
        _("准予许可：%(item)s"),
        _(
            "%(organization)s对您申请的「%(item)s」（办件编号%(number)s）"
            "作出准予决定，办件已办结，可在我的办件中查看和下载结果。"
        ),
        _("您申请的%(item)s（办件编号%(number)s）已准予，请登录查看结果。"),
        lines=("decision_number",),
    ),
    "case_denied": Event(
        _("不予许可：%(item)s"),
        _(
            "%(organization)s对您申请的「%(item)s」（办件编号%(number)s）"
            "作出不予许可决定。如不服，可依法申请行政复议或者提起行政诉讼。"
        ),
        _("您申请的%(item)s（办件编号%(number)s）不予许可，理由请登录查看。"),
        lines=("reason", "decision_number"),
        expects=("reason",),
    ),
    "licence_issued": Event(
        _("电子证照已签发：%(licence_name)s"),
        _(
            "您申请的「%(item)s」（办件编号%(number)s）的电子证照"
            "「%(licence_name)s」已签发，可在我的办件中查看、下载和核验。"
        ),
        _("您的电子证照%(licence_name)s已签发（办件编号%(number)s）。"),
        lines=("licence_number",),
        expects=("licence_number",),
    ),
    "licence_revoked": Event(
        _("电子证照已注销：%(licence_name)s"),
        _(
            "您的电子证照「%(licence_name)s」（办件编号%(number)s）已被注销，"
            "自注销之日起不再有效。"
        ),
        _("您的电子证照%(licence_name)s（办件编号%(number)s）已注销。"),
        lines=("licence_number", "reason"),
        expects=("licence_number", "reason"),
    ),
    "rated_by_phone": Event(
        _("电话回访评价已登记：%(item)s"),
        _(
            "根据%(called_at)s的电话回访，您对「%(item)s」（办件编号%(number)s）"
            "的评价已登记为“%(level)s”。如与您的意见不符，请联系政务服务中心。"
        ),
        _(
            "根据%(called_at)s的电话回访，您对%(item)s（办件编号%(number)s）"
            "的评价已登记为“%(level)s”，如有异议请联系政务服务中心。"
        ),
        expects=("called_at", "level"),
    ),
    "rectified": Event(
        _("评价整改答复：%(item)s"),
        _(
            "%(organization)s已就您对「%(item)s」（办件编号%(number)s）"
            "的评价完成整改，答复如下。"
        ),
        _(
            "%(organization)s已答复您对%(item)s（办件编号%(number)s）的评价，请登录查看。"
        ),
        lines=("reply",),
        expects=("reply",),
    ),
    "rating_requested": Event(
        _("请评价：%(item)s"),
        _(
            "您申请的「%(item)s」（办件编号%(number)s）已办结，"
            "欢迎对本次服务作出评价（好差评）。"
        ),
        _("您申请的%(item)s（办件编号%(number)s）已办结，欢迎登录评价。"),
    ),
}

# The case timeline's kinds (CaseEvent.Kind) name the same changes.
ALIASES = {
    "submitted": "case_submitted",
    "entered": "case_submitted",
    "accepted": "case_accepted",
    "refused": "case_refused",
    "correction": "correction_requested",
    "resubmitted": "case_resubmitted",
    "extended": "case_extended",
    "suspended": "case_suspended",
    "resumed": "case_resumed",
    "approved": "case_approved",
    "denied": "case_denied",
}

# Events after which the applicant is told the promised 办结 date.
_DEADLINE_EVENTS = {"case_accepted", "case_extended", "case_resumed"}


def event_named(name: str) -> Event | None:
    return EVENTS.get(ALIASES.get(name, name))


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    sms: str
    subject: str
    text: str
    html: str


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value if str(v).strip())
    return str(value).strip()


def _promised_date(case):
    if case.accepted_at is None:
        return None
    from egov.servicehall.case_common import deadline

    result = deadline(case).get("promised")
    return result.due_date if result is not None else None


def case_values(case, event_name: str, context: dict) -> dict:
    """The placeholders' raw values: the case's own, then the caller's."""
    version = case.item_version
    values = {
        "number": case.number or "",
        "lookup_code": case.lookup_code or "",
        "item": version.name,
        "organization": case.organization.name,
        "applicant": case.applicant_name,
        "site": settings.EGOV_SITE_NAME,
        "licence_name": version.licence_type or version.name,
        "url": "",
    }
    values.update({k: v for k, v in context.items() if v is not None})
    name = ALIASES.get(event_name, event_name)
    if name in _DEADLINE_EVENTS and not values.get("deadline"):
        values["deadline"] = _promised_date(case)
    return values


def render(
    case,
    event_name: str,
    *,
    language: str | None = None,
    title: str | None = None,
    body: str | None = None,
    **context,
) -> Rendered:
    """The title, body, SMS and e-mail of `event_name` for `case`, in
    `language` (default: the platform's). An explicit title or body replaces
    the event's; an event without a template needs a title."""
    event = event_named(event_name)
    if event is None and not title:
        raise ValueError(f"no message template for event {event_name!r}")
    with translation.override(language or settings.LANGUAGE_CODE):
        raw = case_values(case, event_name, context)
        shown = {key: _display(value) for key, value in raw.items()}
        lines = []
        if event is not None:
            for key in event.lines:
                if shown.get(key):
                    lines.append((str(LINE_LABELS[key]), shown[key]))
        if title is None:
            title = gettext(event.title) % shown
        if body is None:
            body = gettext(event.body) % shown if event is not None else ""
        full_body = "\n".join(
            [body]
            + [
                gettext("%(label)s：%(value)s") % {"label": k, "value": v}
                for k, v in lines
            ]
        ).strip()
        if event is not None and _sms_fits(event, shown):
            short = gettext(event.sms) % shown
        else:
            short = gettext("%(title)s（办件编号%(number)s）") % {
                "title": title,
                "number": shown["number"],
            }
        sms = gettext("【%(site)s】%(text)s") % {"site": shown["site"], "text": short}
        subject = gettext("【%(site)s】%(title)s") % {
            "site": shown["site"],
            "title": title,
        }
        email_context = {
            "title": title,
            "body": body,
            "lines": lines,
            "values": shown,
            "link": shown.get("url", ""),
        }
        text = render_to_string("servicehall/notify/email.txt", email_context)
        html = render_to_string("servicehall/notify/email.html", email_context)
    return Rendered(title, full_body, sms, subject, text, html)


def _sms_fits(event: Event, shown: dict) -> bool:
    """An event's own SMS reads well only when the date it quotes is there
    (an 办结 date the caller did not give and the case cannot tell)."""
    return "%(deadline)s" not in str(event.sms) or bool(shown.get("deadline"))
