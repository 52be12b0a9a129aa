"""The migration that gives a phone rating its own facts reads them back for
ratings recorded before it: from the case timeline's 评价 entry, or from the
audit log when the timeline does not say."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from egov.audit.actions import record
from egov.servicehall.models import CaseEvent
from tests.supervision import factories

BEFORE = [("supervision", "0001_ratings")]
AFTER = [("supervision", "0003_phone_ratings_need_their_facts")]


def _old_rating(apps, case, channel):
    return apps.get_model("supervision", "ServiceRating").objects.create(
        case_id=case.pk,
        organization_id=case.organization_id,
        item_id=case.item_id,
        staff_id=case.accepted_by_id,
        rater_id=case.applicant_id,
        level=4,
        channel=channel,
    )


@pytest.mark.django_db(transaction=True)
def test_existing_phone_ratings_get_their_facts_from_the_timeline_or_the_audit_log():
    county = factories.rating_county()
    from_timeline = factories.case(county)
    from_audit = factories.case(county)
    online = factories.case(county)
    called = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    timeline_rating = _old_rating(old, from_timeline, "phone")
    CaseEvent.objects.create(
        case=from_timeline,
        kind="rated",
        actor=county.people.zhouba,
        detail={
            "level": 4,
            "tags": [],
            "channel": "phone",
            "called_at": called.isoformat(),
            "consented": True,
        },
    )
    audit_rating = _old_rating(old, from_audit, "phone")
    CaseEvent.objects.create(case=from_audit, kind="rated", detail={"level": 4})
    record(
        actor=county.people.zhouba,
        action="supervision.rate_case_by_phone",
        target=from_audit,
        detail={"level": 4, "called_at": called.isoformat(), "consented": True},
    )
    online_rating = _old_rating(old, online, "web")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    ratings = new.get_model("supervision", "ServiceRating").objects

    for pk in (timeline_rating.pk, audit_rating.pk):
        rating = ratings.get(pk=pk)
        assert rating.recorded_by_id == county.people.zhouba.pk
        assert rating.called_at == called
        assert rating.consented is True
        assert rating.rater_id == county.people.zhangsan.pk
    web = ratings.get(pk=online_rating.pk)
    assert (web.recorded_by_id, web.called_at, web.consented) == (None, None, False)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_phone_rating_whose_facts_cannot_be_read_stops_the_migration():
    county = factories.rating_county()
    case = factories.case(county)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    rating = _old_rating(old, case, "phone")

    executor = MigrationExecutor(connection)
    with pytest.raises(RuntimeError, match=rf"Phone ratings \[{rating.pk}\]"):
        executor.migrate(AFTER)

    old.get_model("supervision", "ServiceRating").objects.filter(pk=rating.pk).delete()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
