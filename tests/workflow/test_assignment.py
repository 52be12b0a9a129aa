"""Assignment rules: who gets a task when it arrives."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.core.errors import ActionError
from egov.workflow import assignment
from egov.workflow.models import Delegation, ProcessInstance
from tests.identity.factories import post, user
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, open_tasks, start


def one_node(county, rule, *, multi=None):
    deploy(county, b.chain("leave", b.user("x", "审核", assignment=rule, multi=multi)))


def people_of(task):
    return sorted(c.user.username for c in task.candidates.filter(user__isnull=False))


@pytest.mark.django_db
def test_a_named_user_gets_the_task_and_several_make_a_pool(county):
    # Given one named user, then two
    one_node(county, {"rule": "user", "users": "wangwu"})
    [single] = open_tasks(start(county))
    one_node(county, {"rule": "user", "users": "wangwu,zhaoliu"})
    [pooled] = open_tasks(start(county))

    # Then the single user holds the first; the second is a pool of two
    assert single.assignee == county.people.wangwu and not single.is_pooled
    assert pooled.assignee is None and pooled.is_pooled
    assert people_of(pooled) == ["wangwu", "zhaoliu"]


@pytest.mark.django_db
def test_a_post_with_one_holder_assigns_directly_and_with_several_pools(county):
    # Given the 科长 post (王五 only) and the 科员 post (孙二, 陈三)
    one_node(county, {"rule": "post", "post": "139921-104/section_chief"})
    [direct] = open_tasks(start(county))
    one_node(county, {"rule": "post", "post": "139921-104/staff"})
    [pooled] = open_tasks(start(county))

    # Then 王五 holds the first; the second waits for a 科员 to claim it
    assert direct.assignee == county.people.wangwu
    assert pooled.is_pooled
    [candidate] = pooled.candidates.all()
    assert candidate.post == county.posts.market_staff


@pytest.mark.django_db
def test_a_role_within_the_instances_organization(county):
    # Given the approver role without an organization: the instance's one
    one_node(county, {"rule": "role", "role": "approver"})

    # When 王五 (market bureau) starts it
    [task] = open_tasks(start(county, actor=county.people.wangwu))

    # Then the approvers of the market bureau share it as a pool
    [candidate] = task.candidates.all()
    assert (candidate.role.code, candidate.organization) == (
        "approver",
        county.orgs.market,
    )
    members = assignment.role_members(candidate.role_id, candidate.organization_id)
    assert sorted(members) == sorted(
        [county.people.wangwu.pk, county.people.suner.pk, county.people.chensan.pk]
    )


@pytest.mark.django_db
def test_a_role_within_a_named_organization_with_one_member(county):
    # Given the window clerk role in the service centre (李四 only)
    one_node(
        county, {"rule": "role", "role": "window_clerk", "organization": "139921-120"}
    )

    # When anyone starts it / Then 李四 holds it
    [task] = open_tasks(start(county))
    assert task.assignee == county.people.lisi


@pytest.mark.django_db
def test_the_head_of_the_initiators_organization_walking_up_when_needed(county):
    # Given the head rule, and 罗丹 in a section without a head post
    one_node(county, {"rule": "org_head"})

    # When 罗丹 (登记注册科) and 李四 (政务服务中心) start it
    [from_section] = open_tasks(start(county))
    [from_center] = open_tasks(start(county, actor=county.people.lisi))

    # Then the bureau head 赵六 and the centre head 何敏 get them
    assert from_section.assignee == county.people.zhaoliu
    assert from_center.assignee == county.people.hemin


@pytest.mark.django_db
def test_the_initiator_and_a_previous_handler(county):
    # Given review by 王五, then back to the initiator, then to the reviewer
    deploy(
        county,
        b.chain(
            "leave",
            b.user("review", assignment={"rule": "user", "users": "wangwu"}),
            b.user("confirm", assignment={"rule": "initiator"}),
            b.user(
                "archive", assignment={"rule": "previous_handler", "node": "review"}
            ),
        ),
    )
    instance = start(county)
    approve(open_tasks(instance)[0], county.people.wangwu)

    # Then the initiator confirms, and the reviewer archives
    [confirm] = open_tasks(instance)
    assert confirm.assignee == county.people.luodan
    approve(confirm, county.people.luodan)
    [archive] = open_tasks(instance)
    assert archive.assignee == county.people.wangwu


@pytest.mark.django_db
def test_people_named_in_a_form_field_countersign(county):
    # Given a countersign whose people come from the field "signers"
    one_node(county, {"rule": "variable", "variable": "signers"}, multi="parallel")

    # When started with two accounts and an id
    instance = start(county, data={"signers": ["suner", county.people.chensan.pk]})

    # Then each of them has an instance of the node
    assert sorted(t.assignee.username for t in open_tasks(instance)) == [
        "chensan",
        "suner",
    ]


@pytest.mark.django_db
def test_a_post_countersign_gives_every_holder_an_instance(county):
    # Given a countersign on the 科员 post
    one_node(county, {"rule": "post", "post": "139921-104/staff"}, multi="parallel")

    # Then both holders have their own task
    tasks = open_tasks(start(county))
    assert sorted(t.assignee.username for t in tasks) == ["chensan", "suner"]
    assert all(not t.is_pooled for t in tasks)


@pytest.mark.django_db
def test_an_empty_field_or_disabled_users_name_nobody(county):
    # Given a field naming nobody valid
    one_node(county, {"rule": "variable", "variable": "signers"}, multi="parallel")
    county.people.suner.is_active = False
    county.people.suner.save(update_fields=["is_active"])

    # When started / Then refused: the node has no handler
    with pytest.raises(ActionError) as caught:
        start(county, data={"signers": ["suner", "ghost"]})
    assert caught.value.code == "no_assignee"
    assert not ProcessInstance.objects.exists()


@pytest.mark.django_db
def test_delegation_respects_its_period_and_its_processes(county):
    # Given 王五 delegated only the "trip" process, and an expired delegation
    p = county.people
    now = timezone.now()
    Delegation.objects.create(
        from_user=p.wangwu,
        to_user=p.suner,
        start_at=now - timedelta(days=1),
        end_at=now + timedelta(days=1),
        process_keys=["trip"],
    )
    Delegation.objects.create(
        from_user=p.wangwu,
        to_user=p.chensan,
        start_at=now - timedelta(days=10),
        end_at=now - timedelta(days=5),
    )
    one_node(county, {"rule": "user", "users": "wangwu"})

    # When a leave request arrives / Then 王五 keeps it
    [task] = open_tasks(start(county))
    assert (task.assignee, task.delegated_from) == (p.wangwu, None)
    assert assignment.delegate_of(p.wangwu.pk, "trip", now) == p.suner.pk
    assert assignment.delegate_of(p.wangwu.pk, "leave", now) is None


@pytest.mark.django_db
def test_candidates_match_by_user_post_and_role_in_organization(county):
    # Given 孙二 (科员 of the market bureau, approver) and 宋佳 (township)
    p = county.people
    extra = post(county.orgs.township, "approver", "审批岗")
    outsider = user("waibu", "外部审批员", posts=[extra], roles=["staff", "approver"])

    # When a role pool task arrives for the market bureau
    from egov.workflow.models import TaskCandidate

    deploy(
        county,
        b.chain("leave", b.user("x", assignment={"rule": "role", "role": "approver"})),
    )
    [task] = open_tasks(start(county, actor=p.wangwu))

    # Then the market approver matches the role pool; the township one does not
    rows = TaskCandidate.objects.filter(task=task)
    assert rows.filter(assignment.candidate_filter(p.suner)).exists()
    assert not rows.filter(assignment.candidate_filter(outsider)).exists()
    assert not rows.filter(assignment.candidate_filter(p.songjia)).exists()
