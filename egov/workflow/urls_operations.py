"""URLs of the approval operations: pages under staff/workflow/ops/
(namespace "workflow_ops") and the API under api/workflow/ops/
(`api_patterns`, namespace "workflow_ops_api"); see config/faces.py."""

from django.urls import path

from egov.workflow import api_operations as api
from egov.workflow.operations import views

app_name = "workflow_ops"
urlpatterns = [
    path("tasks/<int:pk>/return/", views.task_return, name="return"),
    path("tasks/<int:pk>/transfer/", views.task_transfer, name="transfer"),
    path("tasks/<int:pk>/delegate/", views.task_delegate, name="delegate"),
    path("tasks/<int:pk>/signers/", views.task_add_signers, name="add_signers"),
    path(
        "tasks/<int:pk>/signers/<int:signer_pk>/remove/",
        views.task_remove_signer,
        name="remove_signer",
    ),
    path("tasks/<int:pk>/withdraw/", views.task_withdraw, name="withdraw"),
    path("tasks/<int:pk>/urge/", views.task_urge, name="urge"),
    path("tasks/<int:pk>/cc/", views.task_cc, name="cc"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="reassign"),
    path("instances/<int:pk>/dispatch/", views.instance_dispatch, name="dispatch"),
    path("cc/<int:pk>/read/", views.cc_read, name="cc_read"),
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/",
        views.notification_read_all,
        name="notification_read_all",
    ),
    path("people/", views.people_search, name="people"),
    path("posts/", views.post_search, name="posts"),
]

api_patterns = [
    path("tasks/<int:pk>/return/", api.TaskReturn.as_view(), name="return"),
    path("tasks/<int:pk>/transfer/", api.TaskTransfer.as_view(), name="transfer"),
    path("tasks/<int:pk>/delegate/", api.TaskDelegate.as_view(), name="delegate"),
    path("tasks/<int:pk>/signers/", api.TaskAddSigners.as_view(), name="add_signers"),
    path(
        "signers/<int:pk>/remove/",
        api.TaskRemoveSigner.as_view(),
        name="remove_signer",
    ),
    path("tasks/<int:pk>/withdraw/", api.TaskWithdraw.as_view(), name="withdraw"),
    path("tasks/<int:pk>/urge/", api.TaskUrge.as_view(), name="urge"),
    path("tasks/<int:pk>/cc/", api.TaskCc.as_view(), name="cc"),
    path("tasks/<int:pk>/reassign/", api.TaskReassign.as_view(), name="reassign"),
    path(
        "instances/<int:pk>/dispatch/",
        api.InstanceDispatch.as_view(),
        name="dispatch",
    ),
    path("cc/<int:pk>/read/", api.CcRead.as_view(), name="cc_read"),
    path("notifications/", api.NotificationList.as_view(), name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        api.NotificationRead.as_view(),
        name="notification_read",
    ),
    path("delegations/", api.DelegationList.as_view(), name="delegations"),
    path(
        "delegations/<int:pk>/end/",
        api.DelegationEnd.as_view(),
        name="delegation_end",
    ),
]
