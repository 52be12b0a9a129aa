"""Process definitions, instances, the worklist and its history.

The engine state of an instance is opaque text owned by egov.workflow.engine;
the Task rows are the worklist projection that inboxes query, kept in step
with the engine by egov.workflow.runtime inside every operation's transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """One deployed version of a BPMN diagram. (key, version) is unique."""

    key = models.CharField(_("流程编码"), max_length=64)
    name = models.CharField(_("流程名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本"))
    is_latest = models.BooleanField(_("最新版本"), default=True)
    bpmn_xml = models.TextField(_("BPMN 定义"))
    main_process_id = models.CharField(_("主流程标识"), max_length=255)
    # {process id: {node id: configuration}}; see egov.workflow.bpmn.
    node_config = models.JSONField(_("环节配置"), default=dict)
    # {process id: {node id: name}}
    node_names = models.JSONField(_("环节名称"), default=dict)
    # {calledElement: ProcessDefinition pk}: call activities are pinned to the
    # version that was latest when this one was deployed.
    called_definitions = models.JSONField(_("调用的流程版本"), default=dict)
    checksum = models.CharField(_("SM3 摘要"), max_length=64)
    description = models.TextField(_("说明"), blank=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("部署人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deployed_at = models.DateTimeField(_("部署时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="workflow_definition_key_version"
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(is_latest=True),
                name="workflow_definition_one_latest",
            ),
        ]
        permissions = [("deploy_process", _("部署流程"))]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def audit_id(self) -> str:
        return f"{self.key}:v{self.version}"

    def node_name(self, node_id: str, process_id: str | None = None) -> str:
        names = self.node_names.get(process_id or self.main_process_id, {})
        return names.get(node_id, node_id)


class ProcessInstance(models.Model):
    """One running process for one business object (办件, 公文…)."""

    class State(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUSPENDED = "suspended", _("已挂起")
        COMPLETED = "completed", _("已办结")
        CANCELLED = "cancelled", _("已撤销")
        TERMINATED = "terminated", _("已终止")

    definition = models.ForeignKey(
        ProcessDefinition,
        verbose_name=_("流程定义"),
        on_delete=models.PROTECT,
        related_name="instances",
    )
    business_key = models.CharField(_("业务编号"), max_length=100, blank=True)
    subject = models.CharField(_("标题"), max_length=300)
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.RUNNING
    )
    engine_state = models.TextField(_("引擎状态"), blank=True)
    engine_format = models.CharField(_("引擎状态格式"), max_length=40, blank=True)
    # Incremented on every save of the engine state; a save that finds another
    # revision in the database fails instead of overwriting it.
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    data = models.JSONField(_("业务数据"), default=dict)
    current_nodes = models.CharField(_("当前环节"), max_length=500, blank=True)
    next_timer_at = models.DateTimeField(_("下次定时"), null=True, blank=True)
    started_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)

    data_scope_fields = {"organization": "organization", "owner": "initiator"}

    class Meta:
        verbose_name = _("流程实例")
        verbose_name_plural = _("流程实例")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["initiator", "-started_at"], name="wf_instance_initiator"
            ),
            models.Index(fields=["business_key"], name="wf_instance_business_key"),
            models.Index(fields=["state", "next_timer_at"], name="wf_instance_timer"),
        ]
        permissions = [
            ("suspend_instance", _("挂起/恢复流程")),
            ("terminate_instance", _("终止流程")),
            ("dispatch_instance", _("流程调度")),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.RUNNING, self.State.SUSPENDED)


class Task(models.Model):
    """A user task waiting on (or done by) a person: the worklist projection."""

    class State(models.TextChoices):
        OPEN = "open", _("待办")
        CLAIMED = "claimed", _("已签收")
        COMPLETED = "completed", _("已办")
        CANCELLED = "cancelled", _("已取消")
        WITHDRAWN = "withdrawn", _("已撤回")
        RETURNED = "returned", _("已退回")
        TRANSFERRED = "transferred", _("已转办")
        # The holder waits while others act for it (加签, 委派, 退回后原路返回).
        WAITING = "waiting", _("等待他人办理")

    class Kind(models.TextChoices):
        NODE = "node", _("环节任务")
        SIGN_BEFORE = "sign_before", _("前加签")
        SIGN_AFTER = "sign_after", _("后加签")
        DELEGATE = "delegate", _("委派")
        RESUBMIT = "resubmit", _("退回重办")

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("不同意")

    OPEN_STATES = (State.OPEN, State.CLAIMED)
    # Rows that still stand for an engine task (egov.workflow.runtime.sync).
    LIVE_STATES = (State.OPEN, State.CLAIMED, State.WAITING)

    instance = models.ForeignKey(
        ProcessInstance,
        verbose_name=_("流程实例"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    process_id = models.CharField(_("所在流程"), max_length=255)
    node_id = models.CharField(_("环节标识"), max_length=255)
    node_name = models.CharField(_("环节名称"), max_length=255)
    engine_task_id = models.UUIDField(_("引擎任务标识"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set when a standing delegation (委托) moved the task from this person.
    delegated_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委托人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_pooled = models.BooleanField(_("抢办任务"), default=False)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.OPEN
    )
    multi_index = models.PositiveIntegerField(_("多实例序号"), null=True, blank=True)
    form_key = models.CharField(_("表单编码"), max_length=100, blank=True)
    form_version = models.PositiveIntegerField(_("表单版本"), null=True, blank=True)
    # The node's time limit when the task arrived: amount in limit_unit
    # (egov.core.timelimits units: workdays, days, hours).
    limit_amount = models.PositiveIntegerField(_("时限"), null=True, blank=True)
    limit_unit = models.CharField(_("时限单位"), max_length=8, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("到达时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("首次查看时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("实际办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(
        _("办理结果"), max_length=10, choices=Outcome.choices, blank=True
    )
    opinion = models.TextField(_("审批意见"), blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True)
    submitted_data = models.JSONField(_("提交的数据"), default=dict, blank=True)
    # Rows other than NODE are added by an operation (egov.workflow.operations)
    # to the task in `parent`; they share its engine task and never complete it.
    kind = models.CharField(
        _("任务类型"), max_length=12, choices=Kind.choices, default=Kind.NODE
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extra_tasks",
    )
    context = models.JSONField(_("操作信息"), default=dict, blank=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A person's inbox: open or claimed tasks they hold, newest first.
            models.Index(
                fields=["assignee", "state", "-created_at"], name="wf_task_inbox"
            ),
            # The todo list of a person: only open and claimed rows, newest
            # first, so a page is read straight off the index.
            models.Index(
                fields=["assignee", "-created_at", "-id"],
                condition=models.Q(state__in=["open", "claimed"]),
                name="wf_task_todo",
            ),
            # Done list: tasks a person completed, newest first.
            models.Index(fields=["completed_by", "-completed_at"], name="wf_task_done"),
            models.Index(fields=["instance", "state"], name="wf_task_instance"),
            models.Index(fields=["engine_task_id"], name="wf_task_engine_id"),
        ]

    def __str__(self):
        return f"{self.node_name} · {self.instance.subject}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class TaskCandidate(models.Model):
    """Who may claim a pooled task: a user, a post, or a role in an organization.

    Rows live only while the task is open or claimed (release puts it back in
    the pool); they are removed when it ends, so the table stays small and the
    pooled part of an inbox is an index lookup.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    post = models.ForeignKey(
        "identity.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    role = models.ForeignKey(
        "identity.Role",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organization = models.ForeignKey(
        "identity.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("候选办理人")
        verbose_name_plural = _("候选办理人")
        indexes = [
            models.Index(fields=["user", "task"], name="wf_candidate_user"),
            models.Index(fields=["post", "task"], name="wf_candidate_post"),
            models.Index(
                fields=["role", "organization", "task"], name="wf_candidate_role"
            ),
        ]

    def __str__(self):
        return str(self.user or self.post or self.role)


class TaskEvent(models.Model):
    """One line of an instance's history timeline, written by the action."""

    class Kind(models.TextChoices):
        START = "start", _("发起")
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("不同意")
        CLAIM = "claim", _("签收")
        RELEASE = "release", _("退回任务池")
        SUSPEND = "suspend", _("挂起")
        RESUME = "resume", _("恢复")
        CANCEL = "cancel", _("撤销")
        TERMINATE = "terminate", _("终止")
        TIMER = "timer", _("定时触发")
        MESSAGE = "message", _("收到消息")
        COMPLETE = "complete", _("办结")
        RETURN = "return", _("退回")
        TRANSFER = "transfer", _("转办")
        DELEGATE = "delegate", _("委派")
        ADD_SIGNER = "add_signer", _("加签")
        REMOVE_SIGNER = "remove_signer", _("减签")
        WITHDRAW = "withdraw", _("撤回")
        URGE = "urge", _("催办")
        CC = "cc", _("抄送")
        DISPATCH = "dispatch", _("调度")

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="events"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    node_id = models.CharField(_("环节标识"), max_length=255, blank=True)
    node_name = models.CharField(_("环节名称"), max_length=255, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["instance", "created_at"], name="wf_event_instance")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.node_name}"


class CommonPhrase(models.Model):
    """常用意见: a person's own phrases, or system-wide ones (owner empty)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所有人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.CharField(_("意见内容"), max_length=200)
    sort_order = models.IntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("常用意见")
        verbose_name_plural = _("常用意见")
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["owner", "sort_order"], name="wf_phrase_owner")]

    def __str__(self):
        return self.text


class Delegation(models.Model):
    """委托: tasks arriving for `from_user` between start and end go to `to_user`."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委托人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受托人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    start_at = models.DateTimeField(_("开始时间"))
    end_at = models.DateTimeField(_("结束时间"))
    # Empty: every process; otherwise the process keys it covers.
    process_keys = models.JSONField(_("适用流程"), default=list, blank=True)
    reason = models.CharField(_("委托事由"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("委托")
        verbose_name_plural = _("委托")
        ordering = ["-start_at", "-id"]
        indexes = [
            models.Index(
                fields=["from_user", "is_active", "start_at"], name="wf_delegation_from"
            )
        ]

    def __str__(self):
        return f"{self.from_user} → {self.to_user}"


class Cc(models.Model):
    """抄送: an instance sent to a person for information, without a task."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="ccs"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="ccs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抄送给"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抄送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("附言"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("抄送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抄送")
        verbose_name_plural = _("抄送")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="wf_cc_user")]

    def __str__(self):
        return f"{self.instance} → {self.user}"


class Notification(models.Model):
    """站内消息: a short message to one person (催办, 抄送…) with a link."""

    class Kind(models.TextChoices):
        URGE = "urge", _("催办")
        CC = "cc", _("抄送")
        TASK = "task", _("任务")
        CASE = "case", _("办件")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    instance = models.ForeignKey(
        ProcessInstance,
        verbose_name=_("流程实例"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_urgent = models.BooleanField(_("紧急"), default=False)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "read_at", "-created_at"], name="wf_notification_user"
            )
        ]

    def __str__(self):
        return self.title
