"""The subject identifier other systems know a person by (`sub`): a random UUID
of its own, not the row number, and the migration that gave every existing
account and application what single sign-on now needs."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from egov.identity.models import User
from tests.identity.test_oidc import (  # noqa: F401 - fixtures
    _oidc_settings,
    exchange,
    make_application,
    make_staff,
    obtain_code,
    signing_key_file,
    verified_claims,
)

BEFORE = [("identity", "0002_management_permissions")]
AFTER = [("identity", "0003_sso_application_policy_and_subject")]


@pytest.mark.django_db
def test_every_account_gets_its_own_random_subject_identifier():
    first = User.objects.create_user(
        username="zhangsan", password="Passw0rd!x", real_name="张三", kind="citizen"
    )
    second = User.objects.create_user(
        username="lisi", password="Passw0rd!x", real_name="李四", kind="staff"
    )

    assert isinstance(first.subject_id, uuid.UUID)
    assert first.subject_id.version == 4
    assert first.subject_id != second.subject_id
    assert str(first.pk) not in {str(first.subject_id), str(second.subject_id)}
    assert User._meta.get_field("subject_id").editable is False


@pytest.mark.django_db
def test_sub_is_the_subject_identifier_and_stays_when_the_account_changes(client):
    user = make_staff()
    client.force_login(user)
    application = make_application()
    first = verified_claims(
        client,
        exchange(client, application, obtain_code(client, application)).json()[
            "id_token"
        ],
    )

    user.username = "wangwu2"
    user.real_name = "王五（改名）"
    user.save()
    again = verified_claims(
        client,
        exchange(client, application, obtain_code(client, application)).json()[
            "id_token"
        ],
    )

    assert first["sub"] == again["sub"] == str(user.subject_id)
    assert first["sub"] != str(user.pk)


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_accounts_distinct_subjects_and_policies():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    toolkit = executor.loader.graph.leaf_nodes("oauth2_provider")
    old = executor.loader.project_state(BEFORE + toolkit).apps
    OldUser = old.get_model("identity", "User")
    OldApplication = old.get_model("oauth2_provider", "Application")
    for username in ("zhangsan", "lisi", "wangwu"):
        OldUser.objects.create(username=username, real_name=username, kind="staff")
    office = OldApplication.objects.create(
        name="协同办公系统",
        client_id="office",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris="https://oa.example.gov.cn/cb",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps

    subjects = list(
        new.get_model("identity", "User").objects.values_list("subject_id", flat=True)
    )
    assert len(subjects) == 3
    assert None not in subjects
    assert len(set(subjects)) == 3
    policy = new.get_model("identity", "ApplicationPolicy").objects.get()
    assert policy.application_id == office.pk
    assert policy.is_active is True
    assert policy.allowed_scopes == ["email", "openid", "phone", "profile"]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
