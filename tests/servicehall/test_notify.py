"""Applicant messages: every event's texts in Chinese and English with the
case's data; the site message is part of the action's transaction; SMS and
e-mail (to a real SMTP server started here) go out only after the commit and
their failure undoes nothing."""

import email
import socket
from datetime import date
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import get_connection
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from egov.core import sms
from egov.servicehall import notify_messages
from egov.servicehall.models import Audience, Case
from egov.servicehall.notify import case_path, notify_applicant
from egov.workflow.models import Notification
from tests.servicehall import factories

# Delivery tests commit for real: on_commit callbacks run as in production.
committing = pytest.mark.django_db(transaction=True)

NUMBER = "13992120261126" + "00042"

# Per event: the context given, and what the Chinese and English titles,
# bodies and SMS must show.
CASES = {
    "case_submitted": ({}, ["查询码K7M2QX"], ["lookup code K7M2QX"]),
    "case_accepted": (
        {"deadline": date(2026, 12, 10)},
        ["2026年12月10日"],
        ["Dec. 10, 2026"],
    ),
    "case_refused": (
        {"reason": "不属于本机关职权范围"},
        ["理由：不属于本机关职权范围"],
        ["Reason: 不属于本机关职权范围"],
    ),
    "correction_requested": (
        {"materials": ["营业执照复印件", "场所平面图"], "note": "请加盖公章"},
        ["需补正的材料：营业执照复印件、场所平面图", "说明：请加盖公章"],
        [
            "Materials to supplement: 营业执照复印件、场所平面图",
            "Description: 请加盖公章",
        ],
    ),
    "case_resubmitted": ({}, ["重新提交"], ["resubmitted"]),
    "case_extended": (
        {"deadline": date(2027, 1, 8), "reason": "需现场核查"},
        ["2027年1月8日", "理由：需现场核查"],
        ["Jan. 8, 2027", "Reason: 需现场核查"],
    ),
    "case_suspended": (
        {"reason": "组织听证"},
        ["中止", "理由：组织听证"],
        ["suspended", "Reason: 组织听证"],
    ),
    "case_resumed": ({"deadline": date(2026, 12, 18)}, ["恢复办理"], ["resumed"]),
    "case_approved": (
        {"decision_number": "示市监许〔2026〕12号"},
        ["准予", "决定文号：示市监许〔2026〕12号"],
        ["approve", "Decision number: 示市监许〔2026〕12号"],
    ),
    "case_denied": (
        {"reason": "场所不符合要求"},
        ["不予许可", "理由：场所不符合要求"],
        ["Reason: 场所不符合要求"],
    ),
    "licence_issued": (
        {"licence_name": "食品经营许可证", "licence_number": "JY13399210000012"},
        ["电子证照已签发：食品经营许可证", "证照编号：JY13399210000012"],
        ["食品经营许可证", "License number: JY13399210000012"],
    ),
    "licence_revoked": (
        {
            "licence_name": "食品经营许可证",
            "licence_number": "JY13399210000012",
            "reason": "以欺骗手段取得",
        },
        ["电子证照已注销：食品经营许可证", "理由：以欺骗手段取得"],
        ["revoked", "Reason: 以欺骗手段取得"],
    ),
    "rectified": (
        {"reply": "已对窗口人员进行培训"},
        ["答复：已对窗口人员进行培训"],
        ["Reply: 已对窗口人员进行培训"],
    ),
    "rating_requested": ({}, ["评价"], ["rate"]),
    "rated_by_phone": (
        {"called_at": "2026-11-20 10:30", "level": "满意"},
        ["根据2026-11-20 10:30的电话回访", "已登记为“满意”"],
        ["phone call of 2026-11-20 10:30", "recorded as “满意”"],
    ),
}


@pytest.fixture
def county(db):
    return factories.catalog_county()


@pytest.fixture
def case(county):
    version = factories.published(county)
    row = Case(
        number=NUMBER,
        lookup_code="K7M2QX",
        item=version.item,
        item_version=version,
        organization=county.orgs.market,
        state=Case.State.SUBMITTED,
        applicant=county.people.zhangsan,
        applicant_kind=Audience.INDIVIDUAL,
        applicant_name="张三",
        contact_email="zhangsan@example.cn",
        submitted_at=timezone.now(),
    )
    row.contact_phone = "13999211001"
    row.save()
    return row


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=default_policy),
            )
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on a local port; Django's SMTP backend sends to it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            DEFAULT_FROM_EMAIL="egov@zwfw.example.cn",
            EGOV_PUBLIC_URL="https://zwfw.example.cn",
        ):
            yield inbox
    finally:
        controller.stop()


def _text_part(message, subtype):
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return part.get_content()
    raise AssertionError(f"no text/{subtype} part")


# --- the texts ----------------------------------------------------------------


def test_every_event_has_a_rendering_case_here():
    assert set(CASES) == set(notify_messages.EVENTS)


@pytest.mark.parametrize("event", sorted(CASES))
def test_each_event_renders_in_chinese_with_the_cases_data(case, event):
    context, chinese, _english = CASES[event]
    message = notify_messages.render(case, event, **context)
    whole = f"{message.title}\n{message.body}"
    assert NUMBER in message.body
    assert NUMBER in message.sms
    assert message.sms.startswith("【示范县人民政府】")
    assert message.subject == f"【示范县人民政府】{message.title}"
    for expected in chinese:
        assert expected in whole
    assert "食品经营许可" in whole
    assert NUMBER in message.text and NUMBER in message.html
    assert "张三：您好！" in message.text


@pytest.mark.parametrize("event", sorted(CASES))
def test_each_event_renders_in_english_with_the_cases_data(case, event):
    context, _chinese, english = CASES[event]
    message = notify_messages.render(case, event, language="en", **context)
    whole = f"{message.title}\n{message.body}"
    assert NUMBER in message.body
    assert NUMBER in message.sms
    for expected in english:
        assert expected in whole or expected in message.sms
    # No Chinese sentence of ours is left: only the case's own data is.
    for template_text in ("您申请的", "办件编号", "已提交", "：您好"):
        assert template_text not in whole
        assert template_text not in message.text
    assert "Case number" in message.text


def test_organization_and_item_appear_in_the_accepted_message(case):
    message = notify_messages.render(case, "case_accepted", deadline=date(2026, 12, 10))
    assert message.title == "已受理：食品经营许可"
    assert message.body == (
        f"示范县市场监督管理局已受理您申请的「食品经营许可」（办件编号{NUMBER}）。\n"
        "办结日期：2026年12月10日"
    )
    assert message.sms == (
        f"【示范县人民政府】您申请的食品经营许可（办件编号{NUMBER}）已受理，"
        "承诺2026年12月10日前办结。"
    )


def test_accepted_message_computes_the_promised_date_from_the_case(case):
    from egov.servicehall.case_common import deadline

    case.accepted_at = timezone.now()
    case.state = Case.State.ACCEPTED
    case.save()
    due = deadline(case)["promised"].due_date
    message = notify_messages.render(case, "case_accepted")
    assert f"{due.year}年{due.month}月{due.day}日" in message.body
    assert f"承诺{due.year}年{due.month}月{due.day}日前办结" in message.sms


def test_accepted_sms_without_a_known_date_falls_back_to_the_title(case):
    message = notify_messages.render(case, "case_accepted")
    assert message.sms == f"【示范县人民政府】已受理：食品经营许可（办件编号{NUMBER}）"


def test_timeline_kinds_name_the_same_events(case):
    by_kind = notify_messages.render(case, "refused", reason="材料不全")
    by_event = notify_messages.render(case, "case_refused", reason="材料不全")
    assert by_kind == by_event


def test_explicit_title_and_body_override_the_template(case):
    message = notify_messages.render(
        case, "case_refused", title="自定义标题", body="自定义内容", reason="x"
    )
    assert message.title == "自定义标题"
    assert message.body == "自定义内容\n理由：x"
    assert message.subject == "【示范县人民政府】自定义标题"


def test_an_event_without_template_needs_a_title(case):
    with pytest.raises(ValueError):
        notify_messages.render(case, "no_such_event")
    message = notify_messages.render(case, "no_such_event", title="办件已转交")
    assert message.title == "办件已转交"
    assert message.sms == f"【示范县人民政府】办件已转交（办件编号{NUMBER}）"


# --- delivery -------------------------------------------------------------------


@committing
def test_site_message_is_written_inside_the_action_and_sms_waits_for_commit(case):
    with transaction.atomic():
        row = notify_applicant(case, "case_refused", reason="材料不全")
        assert Notification.objects.filter(pk=row.pk).exists()
        assert sms.outbox == []
    row.refresh_from_db()
    assert row.user == case.applicant
    assert row.kind == "case"
    assert row.title == "不予受理：食品经营许可"
    assert row.url == case_path(case)
    assert sms.outbox == [
        (
            "13999211001",
            f"【示范县人民政府】您申请的食品经营许可（办件编号{NUMBER}）"
            "不予受理，理由请登录查看。",
        )
    ]


@committing
def test_a_refused_action_leaves_no_message_and_sends_nothing(case, smtp):
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        notify_applicant(case, "case_approved")
        raise Refused
    assert Notification.objects.count() == 0
    assert sms.outbox == []
    assert smtp.messages == []


@committing
def test_email_reaches_a_real_smtp_server_with_subject_text_and_html(case, smtp):
    with transaction.atomic():
        notify_applicant(case, "case_denied", reason="场所不符合要求")
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["zhangsan@example.cn"]
    assert message["Subject"].strip() == "【示范县人民政府】不予许可：食品经营许可"
    assert message["From"] == "egov@zwfw.example.cn"
    text = _text_part(message, "plain")
    html = _text_part(message, "html")
    assert "张三：您好！" in text
    assert "理由：场所不符合要求" in text
    assert f"办件编号：{NUMBER}" in text
    assert "实施机构：示范县市场监督管理局" in text
    assert "https://zwfw.example.cn/" in text and NUMBER in text
    assert "<dt>理由</dt><dd>场所不符合要求</dd>" in html
    assert 'href="https://zwfw.example.cn/' in html


@committing
def test_email_falls_back_to_the_accounts_address(case, county, smtp):
    case.contact_email = ""
    case.save()
    county.people.zhangsan.email = "zs@home.example.cn"
    county.people.zhangsan.save()
    with transaction.atomic():
        notify_applicant(case, "case_submitted")
    assert [r for r, _m in smtp.messages] == [["zs@home.example.cn"]]


@committing
def test_no_email_when_the_applicant_gave_no_address(case, smtp):
    case.contact_email = ""
    case.save()
    with transaction.atomic():
        notify_applicant(case, "case_submitted")
    assert smtp.messages == []
    assert len(sms.outbox) == 1
    assert Notification.objects.count() == 1


@committing
def test_an_applicant_without_account_gets_sms_and_email_only(case, smtp):
    case.applicant = None
    case.save()
    with transaction.atomic():
        assert notify_applicant(case, "case_accepted") is None
    assert Notification.objects.count() == 0
    assert len(sms.outbox) == 1
    assert len(smtp.messages) == 1


class BrokenSMS:
    def send(self, phone, text):
        raise ConnectionError("gateway down")


@committing
@override_settings(EGOV_SMS_BACKEND="tests.servicehall.test_notify.BrokenSMS")
def test_failing_sms_and_smtp_do_not_undo_the_action(case, caplog):
    port = _free_port()  # nobody listens here
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=2,
    ):
        with transaction.atomic():
            notify_applicant(case, "case_approved")
            Case.objects.filter(pk=case.pk).update(state=Case.State.APPROVED)
    case.refresh_from_db()
    assert case.state == Case.State.APPROVED
    assert Notification.objects.get().title == "准予许可：食品经营许可"
    failures = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert failures == [
        f"SMS for case {NUMBER} (case_approved) failed",
        f"E-mail for case {NUMBER} (case_approved) failed",
    ]


@committing
def test_sms_backend_is_the_setting(case, settings):
    sent = []
    settings.EGOV_SMS_BACKEND = f"{__name__}.RecordingSMS"
    RecordingSMS.sent = sent
    with transaction.atomic():
        notify_applicant(case, "case_submitted")
    assert sent == ["13999211001"]
    assert sms.outbox == []


class RecordingSMS:
    sent: list = []

    def send(self, phone, text):
        self.sent.append(phone)


def test_smtp_connection_uses_the_configured_server(smtp):
    connection = get_connection()
    assert (connection.host, connection.use_tls) == ("127.0.0.1", False)


@override_settings(EGOV_FACES=["internal"])
def test_links_to_the_public_face_resolve_on_an_internal_only_process():
    from egov.core.face_urls import face_reverse

    assert face_reverse("public", "hall:guide", args=["abc-1"]) == "/hall/items/abc-1/"
    assert face_reverse("public", "hall:no_such_page") == ""


@override_settings(EGOV_PUBLIC_URL="")
def test_email_has_no_link_without_a_public_url(case):
    message = notify_messages.render(case, "case_submitted")
    assert "请登录网上办事大厅" in message.text
    assert "href" not in message.html
