"""The read-only REST API of the audit log."""

import pytest
import yaml

from egov.audit.actions import record
from egov.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST = "/api/audit/entries/"


@pytest.fixture
def api(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def entries(clerk):
    return [
        record(
            actor=clerk,
            action="servicehall.accept_case",
            detail={"case": f"A-{n}"},
            ip="10.0.0.8",
        )
        for n in range(3)
    ] + [
        record(
            action="identity.sign_in",
            outcome="failed",
            username="zhangsan",
            detail={"reason": "bad_credentials"},
        )
    ]


def test_the_list_gives_entries_newest_first_with_chinese_labels(api, entries):
    response = api.get(LIST, {"user": "zhangsan"})

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    (failed,) = body["results"]
    assert failed["seq"] == entries[-1].seq
    assert failed["username"] == "zhangsan"
    assert failed["action"] == "identity.sign_in"
    assert failed["action_label"] == "登录"
    assert (failed["outcome"], failed["outcome_label"]) == ("failed", "失败")
    assert failed["detail"] == {"reason": "bad_credentials"}
    assert failed["hash"] == entries[-1].hash
    assert failed["prev_hash"] == entries[-2].hash


def test_the_list_takes_the_page_filters(api, entries, clerk):
    response = api.get(LIST, {"action": "servicehall.", "outcome": "success"})

    results = response.json()["results"]
    assert [r["seq"] for r in results] == [e.seq for e in reversed(entries[:3])]
    assert {(r["user"], r["real_name"], r["ip"]) for r in results} == {
        (clerk.pk, "李四", "10.0.0.8")
    }


def test_the_list_pages_by_cursor(api, entries):
    first = api.get(LIST, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    seqs = [r["seq"] for r in first["results"] + second["results"]]
    newest = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)
    assert seqs == list(newest[:4])


def test_bad_filters_answer_400_with_the_message(api, entries):
    response = api.get(LIST, {"start": "2026-13-01", "outcome": "maybe"})

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_filter",
        "detail": "请选择有效的结果 请输入有效的时间，例如 2026-01-31 08:30",
        "fields": {
            "outcome": "请选择有效的结果",
            "start": "请输入有效的时间，例如 2026-01-31 08:30",
        },
    }


def test_one_entry_by_seq(api, entries):
    entry = entries[1]

    response = api.get(f"{LIST}{entry.seq}/")

    assert response.status_code == 200
    assert response.json()["detail"] == {"case": "A-1"}


def test_a_missing_entry_answers_404(api, entries):
    assert api.get(f"{LIST}999999/").status_code == 404


def test_an_anonymous_caller_is_refused(client, entries):
    assert client.get(LIST).status_code == 403


def test_the_schema_documents_the_filters_and_no_writes(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)

    operations = schema["paths"]["/api/audit/entries/"]
    names = [p["name"] for p in operations["get"]["parameters"]]
    assert set(operations) == {"get"}
    assert {"user", "organization", "action", "outcome", "start", "end"} <= set(names)
    assert set(schema["paths"]["/api/audit/entries/{seq}/"]) == {"get"}
