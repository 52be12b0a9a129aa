"""Catalog invariants the database itself keeps, how a version reads, and the
version in force at a given instant (the one a case falls under)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from egov.servicehall import catalog_actions as actions
from egov.servicehall.catalog_queries import version_in_force
from egov.servicehall.models import ServiceItemVersion
from tests.servicehall.factories import draft, item_fields, material, published

pytestmark = pytest.mark.django_db
Status = ServiceItemVersion.Status


def _refused(change) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        change()


def test_an_item_has_at_most_one_published_version(county):
    first = published(county)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    second.status = Status.PUBLISHED

    _refused(lambda: second.save(update_fields=["status"]))


def test_an_item_has_at_most_one_open_version(county):
    first = draft(county)
    copy = ServiceItemVersion.objects.get(pk=first.pk)
    copy.pk = None
    copy.number = 2
    copy.is_latest = False

    _refused(copy.save)


def test_version_numbers_are_unique_per_item(county):
    first = published(county)
    copy = ServiceItemVersion.objects.get(pk=first.pk)
    copy.pk = None
    copy.status = Status.SUPERSEDED
    copy.is_latest = False

    _refused(copy.save)


def test_the_database_refuses_a_fee_without_an_amount_and_no_audience(county):
    version = draft(county)

    version.charges_fee = True
    _refused(lambda: version.save(update_fields=["charges_fee"]))
    version.charges_fee = False
    version.for_individuals = version.for_entities = False
    _refused(lambda: version.save(update_fields=["for_individuals", "for_entities"]))


def test_the_database_refuses_a_promise_beyond_the_statute(county):
    version = draft(county)
    version.promised_limit = version.statutory_limit + 1

    _refused(lambda: version.save(update_fields=["promised_limit"]))


def test_a_material_needs_an_audience_and_at_least_one_copy(county):
    item_material = draft(county).materials.get()

    item_material.copies = 0
    _refused(lambda: item_material.save(update_fields=["copies"]))
    item_material.copies = 1
    item_material.for_individuals = item_material.for_entities = False
    _refused(
        lambda: item_material.save(update_fields=["for_individuals", "for_entities"])
    )


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        (0, "workdays", "即办"),
        (20, "workdays", "20个工作日"),
        (7, "days", "7天"),
        (48, "hours", "48小时"),
    ],
)
def test_limits_read_as_people_say_them(county, amount, unit, text):
    version = draft(
        county,
        statutory_limit=amount,
        statutory_limit_unit=unit,
        promised_limit=0,
    )

    assert version.statutory_display == text
    assert version.promised_display == "即办"


@pytest.mark.parametrize(
    ("visits", "text"), [(0, "零跑动"), (1, "最多跑一次"), (2, "最多跑2次")]
)
def test_visits_read_as_the_campaigns_name_them(county, visits, text):
    assert draft(county, max_visits=visits).visits_display == text


def test_a_version_reads_its_fee_audience_and_material_form(county):
    version = draft(
        county,
        charges_fee=True,
        fee_fen=8050,
        fee_basis="依据",
        for_individuals=False,
        materials=[material(form="both", copies=2, for_individuals=False)],
    )

    assert str(version.fee_yuan) == "80.5"
    assert version.audience_display == "法人"
    assert version.materials.get().form_display == "原件和复印件 2份"
    assert str(version) == "食品经营许可（000172012000-139921104 v1）"
    assert version.statutory.amount == 10


def test_the_version_in_force_follows_publication_and_retirement(county):
    first = published(county)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    actions.edit_item_draft(
        actor=county.people.wangwu,
        version=second,
        fields=item_fields(promised_limit=2),
        materials=[material()],
    )
    actions.submit_item(actor=county.people.wangwu, version=second)
    actions.approve_item(actor=county.people.sunqi, version=second)
    actions.retire_item(actor=county.people.sunqi, item=first.item, reason="取消")
    start = first.effective_from.replace(microsecond=0)
    hour = timedelta(hours=1)
    ServiceItemVersion.objects.filter(pk=first.pk).update(
        effective_from=start, effective_to=start + hour
    )
    ServiceItemVersion.objects.filter(pk=second.pk).update(
        effective_from=start + hour, effective_to=start + 2 * hour
    )
    item = first.item

    assert version_in_force(item, start - timedelta(seconds=1)) is None
    assert version_in_force(item, start).number == 1
    assert version_in_force(item, start + hour - timedelta(seconds=1)).number == 1
    assert version_in_force(item, start + hour).number == 2
    assert version_in_force(item, start + 2 * hour) is None
