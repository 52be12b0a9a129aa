"""A user's primary post and organization, which every audit entry names."""

import pytest

from egov.identity.models import PostAssignment, User
from tests.identity.factories import demo_county, fresh, user


@pytest.mark.django_db
def test_the_primary_post_wins_over_an_older_one():
    # Given 王五 holding 科长 (his only post so far)
    county = demo_county()
    wangwu = county.people.wangwu
    assert fresh(wangwu).primary_organization == county.posts.market_chief.organization

    # When he also gets a post in the township and that one is made primary
    PostAssignment.objects.filter(user=wangwu).update(is_primary=False)
    PostAssignment.objects.create(
        user=wangwu, post=county.posts.township_clerk, is_primary=True
    )

    # Then his primary organization is the township, read with its post
    reread = fresh(wangwu)
    assert reread.primary_assignment.post == county.posts.township_clerk
    assert reread.primary_organization == county.posts.township_clerk.organization
    assert reread.primary_organization.name == (
        county.posts.township_clerk.organization.name
    )

    # And without a primary one, the earliest assignment counts
    PostAssignment.objects.filter(user=wangwu).update(is_primary=False)
    assert fresh(wangwu).primary_assignment.post == county.posts.market_chief


@pytest.mark.django_db
def test_someone_without_a_post_has_no_organization():
    demo_county()
    citizen = user("nobody", "路人", kind=User.Kind.CITIZEN)
    assert fresh(citizen).primary_assignment is None
    assert fresh(citizen).primary_organization is None
    assert User(username="unsaved").primary_organization is None
