"""常用意见: people keep their own phrases; administrators keep shared ones."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions, queries
from egov.workflow.models import CommonPhrase
from tests.identity.factories import fresh, no_staff_2fa
from tests.workflow.conftest import last_entry

__all__ = ["no_staff_2fa"]


@pytest.mark.django_db
def test_own_phrases_come_before_shared_ones_and_stay_private(county):
    # Given a shared phrase and 王五's own
    p = county.people
    CommonPhrase.objects.create(text="同意。")
    actions.add_phrase(actor=p.wangwu, text="情况属实")

    # Then he sees his first, 李四 sees only the shared one
    assert [x.text for x in queries.phrases_for(p.wangwu)] == ["情况属实", "同意。"]
    assert [x.text for x in queries.phrases_for(p.lisi)] == ["同意。"]
    assert last_entry("workflow.add_phrase").detail == {
        "text": "情况属实",
        "shared": False,
    }


@pytest.mark.django_db
def test_shared_phrases_need_the_permission(county):
    # When an approver tries to add a shared phrase / Then denied
    with pytest.raises(PermissionDenied):
        actions.add_phrase(actor=county.people.wangwu, text="同意", shared=True)

    # And an administrator with the permission may
    county.admin_role.permissions.add(
        Permission.objects.get(
            content_type__app_label="workflow", codename="change_commonphrase"
        )
    )
    phrase = actions.add_phrase(
        actor=fresh(county.people.liuqi), text="同意", shared=True
    )
    assert phrase.owner is None


@pytest.mark.django_db
def test_empty_duplicate_and_foreign_phrases_are_refused(county):
    # Given 王五's phrase
    p = county.people
    mine = actions.add_phrase(actor=p.wangwu, text="拟同意")

    # When he adds it again or an empty one, and 李四 deletes his
    with pytest.raises(ActionError) as duplicate:
        actions.add_phrase(actor=p.wangwu, text=" 拟同意 ")
    with pytest.raises(ActionError) as empty:
        actions.add_phrase(actor=p.wangwu, text="   ")
    with pytest.raises(PermissionDenied):
        actions.delete_phrase(actor=p.lisi, phrase=mine.pk)

    # Then each is refused and the phrase stays; he may delete it himself
    assert duplicate.value.message == "该常用意见已存在"
    assert empty.value.message == "请填写常用意见"
    actions.delete_phrase(actor=p.wangwu, phrase=mine.pk)
    assert not CommonPhrase.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_the_phrases_page_adds_and_deletes(client, county):
    # Given 王五 on his phrases page
    client.force_login(county.people.wangwu)
    url = reverse("workflow:phrases")

    # When he adds a phrase, then deletes it
    added = client.post(url, {"text": "请补充材料"}, follow=True)
    phrase = CommonPhrase.objects.get()
    assert "请补充材料" in added.content.decode()
    client.post(reverse("workflow:phrase_delete", args=[phrase.pk]))

    # Then it is gone
    assert not CommonPhrase.objects.exists()
