"""The demo leave process that `egov demo` deploys."""

import pytest

from egov.core.management.commands.demo import load_demo
from egov.identity.models import User
from egov.workflow.models import CommonPhrase, ProcessDefinition, ProcessInstance
from tests.workflow.conftest import approve, open_tasks


@pytest.mark.django_db
def test_the_demo_deploys_the_leave_process_once_and_it_runs(settings):
    # Given the demo county loaded twice
    first = load_demo()
    second = load_demo()

    # Then the process and the phrases were created once
    assert first["workflow.processes"] == 1
    assert first["workflow.phrases"] == 5
    assert "workflow.processes" not in second
    definition = ProcessDefinition.objects.get(key="leave")
    assert definition.version == 1 and definition.deployed_by.username == "chenjing"
    assert CommonPhrase.objects.filter(owner__isnull=True).count() == 5

    # And 罗丹's five-day request goes 王五 → 郭婷 + 马超 → 赵六
    from egov.workflow.actions import start_process

    people = {u.username: u for u in User.objects.filter(is_demo=True)}
    instance = start_process(
        actor=people["luodan"],
        definition_key="leave",
        subject="年假申请",
        data={"days": 5},
    )
    [review] = open_tasks(instance)
    assert review.assignee.username == "wangwu"
    approve(review, people["wangwu"])
    signs = open_tasks(instance)
    assert sorted(t.assignee.username for t in signs) == ["guoting", "machao"]
    for task in signs:
        approve(task, task.assignee)
    [head] = open_tasks(instance)
    assert head.assignee.username == "zhaoliu"
    approve(head, people["zhaoliu"])
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.COMPLETED
