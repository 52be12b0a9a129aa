"""The public progress lookup keeps a case's progress in the cache: a repeated
lookup reads no database, every change of the timeline shows at once, the
time left is worked out on each read, and a kept copy never hides a case or
answers a wrong code."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.core.workdays import calendar_changed
from egov.servicehall import apply_queries as queries
from egov.servicehall import case_actions, case_common
from tests.servicehall import case_factories as cf


@pytest.fixture
def county(db):
    return cf.case_county()


@pytest.fixture
def case(county):
    version = cf.item(county, process_key=cf.REVIEW_KEY, issues_licence=False)
    return cf.submitted_case(county, version)


def _read(case, code=None):
    return queries.public_progress(case.number, code or case.lookup_code)


def _accept(county, case, callbacks):
    with callbacks(execute=True):
        case_actions.accept_case(actor=county.people.lisi, case=case)
    return cf.fresh(case)


def test_a_repeated_lookup_reads_nothing_from_the_database(case):
    first = _read(case)

    with CaptureQueriesContext(connection) as queries_run:
        again = _read(case)

    assert len(queries_run) == 0
    assert again == first
    assert again["state"] == "待受理"


def test_a_wrong_code_is_refused_also_when_the_case_is_kept(case):
    _read(case)

    assert _read(case, "ZZZZZZ") is None
    assert _read(case, case.lookup_code.lower())["number"] == case.number


def test_acceptance_shows_at_once_with_its_time_left(
    county, case, django_capture_on_commit_callbacks
):
    before = _read(case)
    assert before["time_left"] == ""

    accepted = _accept(county, case, django_capture_on_commit_callbacks)

    after = _read(accepted)
    assert after["state"] == "办理中"
    assert after["time_left"].startswith("剩余")
    assert [e["kind"] for e in after["events"]][-1] == "受理"
    assert after["version"] != before["version"]


def test_the_time_left_is_worked_out_at_each_read(
    county, case, django_capture_on_commit_callbacks, monkeypatch
):
    accepted = _accept(county, case, django_capture_on_commit_callbacks)
    today = _read(accepted)["time_left"]

    later = timezone.now() + timedelta(days=60)
    monkeypatch.setattr(queries.timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries_run:
        overdue = _read(accepted)["time_left"]

    # Only the working-day calendar of the later year may be read, never the
    # case again.
    assert not [q for q in queries_run if "servicehall" in q["sql"]]
    assert today.startswith("剩余")
    assert overdue.startswith("已超期")


def test_a_calendar_change_reads_the_deadline_again(
    county, case, django_capture_on_commit_callbacks
):
    accepted = _accept(county, case, django_capture_on_commit_callbacks)
    kept = _read(accepted)

    calendar_changed()
    with CaptureQueriesContext(connection) as queries_run:
        again = _read(accepted)

    assert len(queries_run) > 0
    assert again["version"] != kept["version"]


def test_a_stale_copy_with_another_code_is_read_again_not_trusted(case):
    # A copy left by an earlier database under the same number (e.g. the
    # demo county loaded afresh) must not hide the case.
    cache.set(
        case_common.progress_key(case.number),
        {**queries._progress_entry(case.number, "x"), "digest": "0" * 64},
        60,
    )

    progress = _read(case)

    assert progress is not None
    assert progress["number"] == case.number


def test_the_page_shows_the_kept_progress_in_the_visitors_language(client, case):
    data = {"number": case.number, "code": case.lookup_code}
    chinese = client.post("/hall/lookup/", data).content.decode()
    english = client.post(
        "/hall/lookup/", data, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "待受理" in chinese and "办理过程" in chinese
    assert "办理过程" not in english
    assert case.number in english


# --- the whole page, kept rendered for anonymous visitors (egov.web.pagecache) ---


def _token_in(html: str) -> str:
    import re

    found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found[0]


def test_a_repeated_anonymous_lookup_is_served_from_the_kept_page(case):
    from django.test import Client

    from egov.web.pagecache import TOKEN_SLOT

    data = {"number": case.number, "code": case.lookup_code}
    visitor = Client(enforce_csrf_checks=True)
    form = visitor.get("/hall/lookup/").content.decode()

    # The first lookup renders the page; the second one does not
    first = visitor.post(
        "/hall/lookup/", {**data, "csrfmiddlewaretoken": _token_in(form)}
    )
    assert first.status_code == 200 and first.templates
    first_html = first.content.decode()
    second = visitor.post(
        "/hall/lookup/", {**data, "csrfmiddlewaretoken": _token_in(first_html)}
    )
    assert second.status_code == 200
    assert not second.templates
    second_html = second.content.decode()

    # Each copy carries a working token of its own, never the stand-in
    assert TOKEN_SLOT not in first_html and TOKEN_SLOT not in second_html
    assert _token_in(second_html) != _token_in(first_html)
    third = visitor.post(
        "/hall/lookup/", {**data, "csrfmiddlewaretoken": _token_in(second_html)}
    )
    assert third.status_code == 200
    # And apart from the tokens the kept page is the rendered one
    assert second_html.replace(_token_in(second_html), "") == first_html.replace(
        _token_in(first_html), ""
    )
    assert "sh-state-submitted" in second_html and case.number in second_html


def test_a_kept_page_never_hides_a_change_of_the_case(
    client, county, case, django_capture_on_commit_callbacks
):
    data = {"number": case.number, "code": case.lookup_code}
    before = client.post("/hall/lookup/", data).content.decode()
    assert "sh-state-submitted" in before

    _accept(county, case, django_capture_on_commit_callbacks)

    after = client.post("/hall/lookup/", data)
    assert after.templates, "a new reading of the case renders the page again"
    html = after.content.decode()
    assert "sh-state-submitted" not in html and "sh-state-accepted" in html


def test_each_language_and_each_echoed_input_has_its_own_page(client, case):
    data = {"number": case.number, "code": case.lookup_code}
    client.post("/hall/lookup/", data)
    english = client.post("/hall/lookup/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert english.templates and "办理过程" not in english.content.decode()

    lower = client.post(
        "/hall/lookup/", {"number": case.number, "code": case.lookup_code.lower()}
    )
    assert lower.templates
    assert f'value="{case.lookup_code.lower()}"' in lower.content.decode()


def test_signed_in_visitors_and_waiting_messages_get_a_page_of_their_own(
    client, county, case
):
    data = {"number": case.number, "code": case.lookup_code}
    client.post("/hall/lookup/", data)
    client.post("/hall/lookup/", data)

    client.force_login(case.applicant)
    mine = client.post("/hall/lookup/", data)
    assert mine.templates
    assert "退出" in mine.content.decode()
    again = client.post("/hall/lookup/", data)
    assert again.templates, "a signed-in visitor's page is never kept"
