"""REST API of the approval operations (mounted at /api/workflow/ops/).

Thin: each view checks the task or instance is visible to the caller (404
otherwise), parses its input, calls one action and answers with the task it
produced. Refusals are 400/403 with a code and a Chinese message
(egov.core.api.exception_handler).
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from egov.workflow import queries
from egov.workflow.api import TaskSerializer
from egov.workflow.models import Cc, Delegation, Notification, Task
from egov.workflow.operations import (
    copying,
    delegation,
    dispatching,
    handover,
    notify,
    returning,
    signing,
    urging,
    withdrawing,
)
from egov.workflow.operations import queries as ops_queries

PEOPLE = serializers.ListField(
    child=serializers.CharField(max_length=150),
    max_length=20,
    help_text="人员账号（或用户编号）",
)


class OpTaskSerializer(TaskSerializer):
    kind = serializers.CharField(help_text="任务类型：node/sign_before/…")
    parent = serializers.IntegerField(
        source="parent_id", allow_null=True, help_text="所属任务"
    )

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "kind", "parent"]
        read_only_fields = fields


def _task(task):
    return OpTaskSerializer(task).data


class ReturnInput(serializers.Serializer):
    to = serializers.CharField(
        max_length=255,
        default=returning.PREVIOUS,
        help_text="previous（上一环节）、initiator（发起人）或已办理过的环节标识",
    )
    mode = serializers.ChoiceField(
        choices=returning.MODES,
        default=returning.RERUN,
        help_text="rerun（重新办理）或 back（原路返回）",
    )
    opinion = serializers.CharField(max_length=2000, help_text="退回意见")


class HandOverInput(serializers.Serializer):
    to = serializers.CharField(max_length=150, help_text="接收人账号")
    opinion = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="说明"
    )


class SignerInput(serializers.Serializer):
    users = PEOPLE
    position = serializers.ChoiceField(
        choices=[signing.BEFORE, signing.AFTER],
        default=signing.BEFORE,
        help_text="before（前加签）或 after（后加签）",
    )
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class OpinionInput(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class UrgeInput(serializers.Serializer):
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="催办内容"
    )
    urgent = serializers.BooleanField(default=False, help_text="紧急：同时发短信")


class CcInput(serializers.Serializer):
    users = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, max_length=20
    )
    posts = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=10,
        help_text="岗位：机构编码/岗位编码",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReassignInput(serializers.Serializer):
    to = serializers.CharField(max_length=150)
    reason = serializers.CharField(max_length=500)


class DispatchInput(serializers.Serializer):
    node = serializers.CharField(max_length=255, help_text="目标环节标识")
    reason = serializers.CharField(max_length=500, help_text="调度原因")


class NotificationSerializer(serializers.ModelSerializer):
    sender = serializers.CharField(source="sender.username", default=None)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "url",
            "instance",
            "sender",
            "is_urgent",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class CcSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cc
        fields = ["id", "instance", "task", "note", "created_at", "read_at"]
        read_only_fields = fields


def _given(serializer_class, request):
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return given.validated_data


@extend_schema(tags=["workflow-ops"], summary="退回", request=ReturnInput)
class TaskReturn(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(ReturnInput, request)
        row = returning.return_task(actor=request.user, task=task, **data)
        return Response(_task(row))


@extend_schema(tags=["workflow-ops"], summary="转办", request=HandOverInput)
class TaskTransfer(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(HandOverInput, request)
        row = handover.transfer_task(actor=request.user, task=task, **data)
        return Response(_task(row))


@extend_schema(tags=["workflow-ops"], summary="委派", request=HandOverInput)
class TaskDelegate(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(HandOverInput, request)
        row = handover.delegate_task(actor=request.user, task=task, **data)
        return Response(_task(row))


@extend_schema(
    tags=["workflow-ops"],
    summary="加签（前加签/后加签）",
    request=SignerInput,
    responses=OpTaskSerializer(many=True),
)
class TaskAddSigners(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(SignerInput, request)
        rows = signing.add_signers(actor=request.user, task=task, **data)
        return Response([_task(r) for r in rows])


@extend_schema(tags=["workflow-ops"], summary="减签", request=OpinionInput)
class TaskRemoveSigner(APIView):
    def post(self, request, pk):
        signer = queries.get_task_for(request.user, pk)
        data = _given(OpinionInput, request)
        row = signing.remove_signer(actor=request.user, task=signer, **data)
        return Response(_task(row))


@extend_schema(tags=["workflow-ops"], summary="撤回", request=OpinionInput)
class TaskWithdraw(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(OpinionInput, request)
        row = withdrawing.withdraw_task(actor=request.user, task=task, **data)
        return Response(_task(row))


@extend_schema(
    tags=["workflow-ops"],
    summary="催办（30 分钟内同一任务只能催办一次）",
    request=UrgeInput,
    responses=inline_serializer("UrgeResult", {"sent": serializers.IntegerField()}),
)
class TaskUrge(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(UrgeInput, request)
        sent = urging.urge_task(actor=request.user, task=task, **data)
        return Response({"sent": len(sent)})


@extend_schema(
    tags=["workflow-ops"],
    summary="抄送",
    request=CcInput,
    responses=CcSerializer(many=True),
)
class TaskCc(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(CcInput, request)
        rows = copying.cc_instance(actor=request.user, task=task, **data)
        return Response(CcSerializer(rows, many=True).data)


@extend_schema(tags=["workflow-ops"], summary="改派（管理员）", request=ReassignInput)
class TaskReassign(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        data = _given(ReassignInput, request)
        row = dispatching.reassign_task(actor=request.user, task=task, **data)
        return Response(_task(row))


@extend_schema(
    tags=["workflow-ops"], summary="调度到任意环节（管理员）", request=DispatchInput
)
class InstanceDispatch(APIView):
    def post(self, request, pk):
        instance = queries.get_instance_for(request.user, pk)
        data = _given(DispatchInput, request)
        dispatching.dispatch_instance(actor=request.user, instance=instance, **data)
        return Response(
            {
                "instance": instance.pk,
                "tasks": [
                    _task(t) for t in instance.tasks.filter(state__in=Task.OPEN_STATES)
                ],
            }
        )


@extend_schema(
    tags=["workflow-ops"], summary="抄送标记已读", request=None, responses=CcSerializer
)
class CcRead(APIView):
    def post(self, request, pk):
        copy = ops_queries.get_cc_for(request.user, pk)
        return Response(CcSerializer(copying.read_cc(actor=request.user, cc=copy)).data)


@extend_schema(tags=["workflow-ops"], summary="站内消息")
class NotificationList(APIView):
    serializer_class = NotificationSerializer

    def get(self, request):
        rows = ops_queries.notifications_for(
            request.user, unread_only=request.query_params.get("unread") == "1"
        )[:100]
        return Response(
            {
                "unread": ops_queries.unread_count(request.user),
                "results": NotificationSerializer(rows, many=True).data,
            }
        )


@extend_schema(
    tags=["workflow-ops"],
    summary="站内消息标记已读",
    request=None,
    responses=NotificationSerializer,
)
class NotificationRead(APIView):
    def post(self, request, pk):
        row = ops_queries.get_notification_for(request.user, pk)
        row = notify.read_notification(actor=request.user, notification=row)
        return Response(NotificationSerializer(row).data)


class DelegationSerializer(serializers.ModelSerializer):
    from_user = serializers.CharField(source="from_user.username")
    to_user = serializers.CharField(source="to_user.username")
    status = serializers.SerializerMethodField(
        help_text="pending（未开始）、running（生效中）、ended（已结束）"
        "或 cancelled（已取消）"
    )

    class Meta:
        model = Delegation
        fields = [
            "id",
            "from_user",
            "to_user",
            "start_at",
            "end_at",
            "process_keys",
            "reason",
            "status",
            "created_at",
        ]
        read_only_fields = fields

    def get_status(self, row) -> str:
        return delegation.status_of(row)


class DelegationInput(serializers.Serializer):
    to = serializers.CharField(max_length=150, help_text="受托人账号")
    start_at = serializers.DateTimeField(help_text="开始时间（早于当前时间则从现在起）")
    end_at = serializers.DateTimeField(help_text="结束时间")
    process_keys = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=delegation.MAX_PROCESSES,
        help_text="适用流程编码，不填则全部流程",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="委托事由"
    )


@extend_schema(tags=["workflow-ops"])
class DelegationList(APIView):
    @extend_schema(
        summary="我的委托（我委托他人的、他人委托我的）",
        responses=inline_serializer(
            "DelegationLists",
            {
                "given": DelegationSerializer(many=True),
                "received": DelegationSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        if not delegation.may_delegate(request.user):
            raise Http404
        lists = delegation.delegations_for(request.user)
        return Response(
            {
                "given": DelegationSerializer(lists.given, many=True).data,
                "received": DelegationSerializer(lists.received, many=True).data,
            }
        )

    @extend_schema(
        summary="新建委托", request=DelegationInput, responses=DelegationSerializer
    )
    def post(self, request):
        data = _given(DelegationInput, request)
        row = delegation.create_delegation(actor=request.user, **data)
        return Response(DelegationSerializer(row).data, status=201)


@extend_schema(
    tags=["workflow-ops"],
    summary="结束（或取消未开始的）委托",
    request=None,
    responses=DelegationSerializer,
)
class DelegationEnd(APIView):
    def post(self, request, pk):
        row = delegation.get_delegation_for(request.user, pk)
        row = delegation.end_delegation(actor=request.user, delegation=row)
        return Response(DelegationSerializer(row).data)
