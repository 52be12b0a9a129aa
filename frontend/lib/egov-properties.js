// The process designer's Chinese properties: "办理设置" (who handles a user
// task, its time limit, how several people sign), "表单设置" (the form and its
// per-field modes) for user tasks and start events, "服务处理" for service
// tasks and "流转条件" for the flows leaving a branching gateway.
//
// Everything is written into the `egov` extension elements described by
// egov/workflow/static/workflow/egov-moddle.json and
// docs/adr/0004-workflow-engine.md; the server checks all of it on deploy.
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

export const ASSIGNMENT_RULES = [
  { value: "", label: "（请选择）" },
  { value: "user", label: "指定人员" },
  { value: "post", label: "岗位" },
  { value: "role", label: "角色（本机构或指定机构）" },
  { value: "org_head", label: "发起人所在机构负责人" },
  { value: "initiator", label: "发起人" },
  { value: "previous_handler", label: "前序环节办理人" },
  { value: "choice", label: "由上一环节办理人从候选中选择" },
  { value: "variable", label: "流程数据中的人员" },
];

const TIME_UNITS = [
  { value: "workdays", label: "工作日" },
  { value: "days", label: "自然日" },
  { value: "hours", label: "小时" },
];

export const SIGN_MODES = [
  { value: "", label: "单人办理" },
  { value: "all", label: "会签（全部同意）" },
  { value: "any", label: "或签（一人决定）" },
  { value: "sequential", label: "依次审批" },
  { value: "threshold", label: "票签（按比例通过）" },
];

const FIELD_MODES = [
  { value: "editable", label: "可编辑" },
  { value: "readonly", label: "只读" },
  { value: "hidden", label: "隐藏" },
];

const ASSIGNMENT_ATTRS = ["users", "post", "role", "organization", "node", "variable"];

// ---------------------------------------------------------------- moddle helpers

function extensionOf(bo, type) {
  const extensionElements = bo.get("extensionElements");
  if (!extensionElements) {
    return undefined;
  }
  return (extensionElements.get("values") || []).find((value) => is(value, type));
}

function create(bpmnFactory, type, properties, parent) {
  const element = bpmnFactory.create(type, properties);
  element.$parent = parent;
  return element;
}

function update(element, moddleElement, properties) {
  return {
    cmd: "element.updateModdleProperties",
    context: { element, moddleElement, properties },
  };
}

// The commands that give `element` an extension of `type` with `properties`
// (created when missing, updated otherwise).
function upsertCommands(element, type, properties, bpmnFactory) {
  const bo = getBusinessObject(element);
  const commands = [];
  let extensionElements = bo.get("extensionElements");
  if (!extensionElements) {
    extensionElements = create(bpmnFactory, "bpmn:ExtensionElements", { values: [] }, bo);
    commands.push(update(element, bo, { extensionElements }));
  }
  const existing = extensionOf(bo, type);
  if (existing) {
    commands.push(update(element, existing, properties));
  } else {
    const added = create(bpmnFactory, type, properties, extensionElements);
    commands.push(
      update(element, extensionElements, {
        values: [...extensionElements.get("values"), added],
      }),
    );
  }
  return commands;
}

function removeCommands(element, type) {
  const bo = getBusinessObject(element);
  const existing = extensionOf(bo, type);
  if (!existing) {
    return [];
  }
  const extensionElements = bo.get("extensionElements");
  return [
    update(element, extensionElements, {
      values: extensionElements.get("values").filter((value) => value !== existing),
    }),
  ];
}

function run(commandStack, commands) {
  if (commands.length) {
    commandStack.execute("properties-panel.multi-command-executor", commands);
  }
}

function attr(bo, type, name) {
  const extension = extensionOf(bo, type);
  const value = extension ? extension.get(name) : undefined;
  return value === undefined || value === null ? "" : String(value);
}

function withBlank(options, label) {
  return [{ value: "", label }, ...options];
}

// ---------------------------------------------------------------- 办理设置

function useSetter(element, type) {
  const bpmnFactory = useService("bpmnFactory");
  const commandStack = useService("commandStack");
  return (properties) => run(commandStack, upsertCommands(element, type, properties, bpmnFactory));
}

function RuleEntry(props) {
  const { element, id } = props;
  const setAssignment = useSetter(element, "egov:Assignment");
  const bo = getBusinessObject(element);
  return SelectEntry({
    element,
    id,
    label: "办理人类型",
    getValue: () => attr(bo, "egov:Assignment", "rule"),
    setValue: (value) => {
      // A new rule starts from a clean slate: values of the old rule would
      // only confuse the checks at deploy time.
      const properties = { rule: value || undefined };
      ASSIGNMENT_ATTRS.forEach((name) => {
        properties[name] = undefined;
      });
      setAssignment(properties);
    },
    getOptions: () => ASSIGNMENT_RULES,
  });
}

function AssignmentTextEntry(props) {
  const { element, id, name, label, description } = props;
  const setAssignment = useSetter(element, "egov:Assignment");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  return TextFieldEntry({
    element,
    id,
    label,
    description,
    debounce,
    getValue: () => attr(bo, "egov:Assignment", name),
    setValue: (value) => setAssignment({ [name]: (value || "").trim() || undefined }),
  });
}

function AssignmentSelectEntry(props) {
  const { element, id, name, label, options } = props;
  const setAssignment = useSetter(element, "egov:Assignment");
  const bo = getBusinessObject(element);
  return SelectEntry({
    element,
    id,
    label,
    getValue: () => attr(bo, "egov:Assignment", name),
    setValue: (value) => setAssignment({ [name]: value || undefined }),
    getOptions: () => options(),
  });
}

function otherUserTasks(element) {
  const process = getBusinessObject(element).$parent;
  return (process.get("flowElements") || [])
    .filter((node) => is(node, "bpmn:UserTask") && node.id !== element.id)
    .map((node) => ({ value: node.id, label: node.name ? `${node.name}（${node.id}）` : node.id }));
}

function TimeAmountEntry(props) {
  const { element, id } = props;
  const bpmnFactory = useService("bpmnFactory");
  const commandStack = useService("commandStack");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  return TextFieldEntry({
    element,
    id,
    label: "办理时限",
    description: "留空表示不设时限",
    debounce,
    getValue: () => attr(bo, "egov:TimeLimit", "amount"),
    validate: (value) => (value && !/^[1-9][0-9]{0,3}$/.test(value.trim()) ? "请输入正整数" : null),
    setValue: (value, error) => {
      if (error) {
        return;
      }
      const amount = (value || "").trim();
      if (!amount) {
        run(commandStack, removeCommands(element, "egov:TimeLimit"));
        return;
      }
      const unit = attr(bo, "egov:TimeLimit", "unit") || "workdays";
      run(
        commandStack,
        upsertCommands(element, "egov:TimeLimit", { amount: Number(amount), unit }, bpmnFactory),
      );
    },
  });
}

function TimeUnitEntry(props) {
  const { element, id } = props;
  const setLimit = useSetter(element, "egov:TimeLimit");
  const bo = getBusinessObject(element);
  return SelectEntry({
    element,
    id,
    label: "时限单位",
    getValue: () => attr(bo, "egov:TimeLimit", "unit") || "workdays",
    setValue: (value) => setLimit({ unit: value }),
    getOptions: () => TIME_UNITS,
  });
}

export function signModeOf(bo) {
  const loop = bo.get("loopCharacteristics");
  if (!loop || !is(loop, "bpmn:MultiInstanceLoopCharacteristics")) {
    return "";
  }
  if (loop.get("isSequential")) {
    return "sequential";
  }
  return attr(bo, "egov:Vote", "rule") || "all";
}

function SignModeEntry(props) {
  const { element, id } = props;
  const bpmnFactory = useService("bpmnFactory");
  const commandStack = useService("commandStack");
  const bo = getBusinessObject(element);
  return SelectEntry({
    element,
    id,
    label: "审批方式",
    getValue: () => signModeOf(bo),
    setValue: (mode) => {
      const commands = [];
      if (!mode) {
        commands.push(update(element, bo, { loopCharacteristics: undefined }));
        commands.push(...removeCommands(element, "egov:Vote"));
        run(commandStack, commands);
        return;
      }
      const sequential = mode === "sequential";
      const existing = bo.get("loopCharacteristics");
      if (existing && is(existing, "bpmn:MultiInstanceLoopCharacteristics")) {
        commands.push(update(element, existing, { isSequential: sequential }));
      } else {
        const loop = create(
          bpmnFactory,
          "bpmn:MultiInstanceLoopCharacteristics",
          { isSequential: sequential },
          bo,
        );
        commands.push(update(element, bo, { loopCharacteristics: loop }));
      }
      const rule = sequential ? "all" : mode;
      const vote = { rule, threshold: rule === "threshold" ? 0.5 : undefined };
      commands.push(...upsertCommands(element, "egov:Vote", vote, bpmnFactory));
      run(commandStack, commands);
    },
    getOptions: () => SIGN_MODES,
  });
}

function ThresholdEntry(props) {
  const { element, id } = props;
  const setVote = useSetter(element, "egov:Vote");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  return TextFieldEntry({
    element,
    id,
    label: "通过比例",
    description: "同意人数占全部人数的比例，如 0.6 表示六成同意即通过",
    debounce,
    getValue: () => attr(bo, "egov:Vote", "threshold"),
    validate: (value) => {
      const number = Number(value);
      return value && (!(number > 0) || number > 1) ? "请输入大于0、不超过1的小数" : null;
    },
    setValue: (value, error) => {
      if (!error && value) {
        setVote({ threshold: Number(value) });
      }
    },
  });
}

function handlingEntries(element, directory) {
  const bo = getBusinessObject(element);
  const rule = attr(bo, "egov:Assignment", "rule");
  const entries = [{ id: "egov-rule", component: RuleEntry, isEdited: isSelectEntryEdited }];
  const usersEntry = {
    id: "egov-users",
    component: AssignmentTextEntry,
    name: "users",
    label: rule === "choice" ? "候选人员账号" : "人员账号",
    description: "多个账号以逗号分隔，如 wangwu,zhaoliu",
    isEdited: isTextFieldEntryEdited,
  };
  const postEntry = {
    id: "egov-post",
    component: AssignmentSelectEntry,
    name: "post",
    label: rule === "choice" ? "候选岗位" : "岗位",
    options: () => withBlank(directory.posts, "（请选择岗位）"),
    isEdited: isSelectEntryEdited,
  };
  const roleEntry = {
    id: "egov-role",
    component: AssignmentSelectEntry,
    name: "role",
    label: rule === "choice" ? "候选角色" : "角色",
    options: () => withBlank(directory.roles, "（请选择角色）"),
    isEdited: isSelectEntryEdited,
  };
  const organizationEntry = {
    id: "egov-organization",
    component: AssignmentSelectEntry,
    name: "organization",
    label: "角色所在机构",
    options: () => withBlank(directory.organizations, "（办件所属机构）"),
    isEdited: isSelectEntryEdited,
  };
  if (rule === "user") {
    entries.push(usersEntry);
  } else if (rule === "post") {
    entries.push(postEntry);
  } else if (rule === "role") {
    entries.push(roleEntry, organizationEntry);
  } else if (rule === "previous_handler") {
    entries.push({
      id: "egov-node",
      component: AssignmentSelectEntry,
      name: "node",
      label: "前序环节",
      options: () => withBlank(otherUserTasks(element), "（请选择环节）"),
      isEdited: isSelectEntryEdited,
    });
  } else if (rule === "choice") {
    entries.push(usersEntry, postEntry, roleEntry, organizationEntry);
  } else if (rule === "variable") {
    entries.push({
      id: "egov-variable",
      component: AssignmentTextEntry,
      name: "variable",
      label: "数据项名称",
      description: "流程数据中保存人员账号（或账号列表）的字段",
      isEdited: isTextFieldEntryEdited,
    });
  }
  entries.push(
    { id: "egov-time-amount", component: TimeAmountEntry, isEdited: isTextFieldEntryEdited },
    { id: "egov-time-unit", component: TimeUnitEntry, isEdited: isSelectEntryEdited },
    { id: "egov-sign-mode", component: SignModeEntry, isEdited: isSelectEntryEdited },
  );
  if (signModeOf(bo) === "threshold") {
    entries.push({
      id: "egov-threshold",
      component: ThresholdEntry,
      isEdited: isTextFieldEntryEdited,
    });
  }
  return entries;
}

// ---------------------------------------------------------------- 可用操作

// The engine's vocabulary (egov/workflow/bpmn.py OPERATIONS) and the set a
// node allows when its diagram says nothing (DEFAULT_OPERATIONS).
const OPERATIONS = [
  ["approve", "同意"],
  ["reject", "不同意"],
  ["return", "退回"],
  ["transfer", "转办"],
  ["delegate", "委派"],
  ["add_signer", "加签"],
  ["remove_signer", "减签"],
  ["withdraw", "撤回"],
  ["urge", "催办"],
  ["cc", "抄送"],
];
const DEFAULT_OPERATIONS = OPERATIONS.map(([code]) => code).filter(
  (code) => code !== "add_signer" && code !== "remove_signer",
);

export function allowedOperations(bo) {
  const written = attr(bo, "egov:Operations", "allowed");
  if (!written) {
    return DEFAULT_OPERATIONS;
  }
  return written.split(/[,，\s]+/).filter(Boolean);
}

function OperationEntry(props) {
  const { element, id, operation, label } = props;
  const setOperations = useSetter(element, "egov:Operations");
  const bo = getBusinessObject(element);
  return CheckboxEntry({
    element,
    id,
    label,
    // Approving is what completes a task: the engine requires it.
    disabled: operation === "approve",
    getValue: () => allowedOperations(bo).includes(operation),
    setValue: (checked) => {
      const current = allowedOperations(bo).filter((code) => code !== operation);
      const next = OPERATIONS.map(([code]) => code).filter(
        (code) => (code === operation ? checked : current.includes(code)),
      );
      setOperations({ allowed: next.join(",") });
    },
  });
}

function operationEntries() {
  return OPERATIONS.map(([operation, label]) => ({
    id: `egov-operation-${operation}`,
    component: OperationEntry,
    operation,
    label,
    isEdited: isCheckboxEntryEdited,
  }));
}

// ---------------------------------------------------------------- 表单设置

function formOf(directory, key) {
  return directory.forms.find((form) => form.key === key);
}

function FormKeyEntry(props) {
  const { element, id, directory } = props;
  const bpmnFactory = useService("bpmnFactory");
  const commandStack = useService("commandStack");
  const bo = getBusinessObject(element);
  return SelectEntry({
    element,
    id,
    label: "表单",
    getValue: () => attr(bo, "egov:Form", "key"),
    setValue: (key) => {
      if (!key) {
        run(commandStack, removeCommands(element, "egov:Form"));
        return;
      }
      // Field modes belong to one form; a different form starts afresh.
      run(
        commandStack,
        upsertCommands(element, "egov:Form", { key, version: undefined, fields: [] }, bpmnFactory),
      );
    },
    getOptions: () =>
      withBlank(
        directory.forms.map((form) => ({
          value: form.key,
          label: `${form.name}（${form.key}）`,
        })),
        "（不使用表单）",
      ),
  });
}

function FormVersionEntry(props) {
  const { element, id, directory } = props;
  const setForm = useSetter(element, "egov:Form");
  const bo = getBusinessObject(element);
  const form = formOf(directory, attr(bo, "egov:Form", "key"));
  const versions = form ? Array.from({ length: form.version }, (_, i) => form.version - i) : [];
  return SelectEntry({
    element,
    id,
    label: "表单版本",
    getValue: () => attr(bo, "egov:Form", "version"),
    setValue: (value) => setForm({ version: value ? Number(value) : undefined }),
    getOptions: () =>
      withBlank(
        versions.map((version) => ({ value: String(version), label: `第${version}版` })),
        "（到达时的最新发布版本）",
      ),
  });
}

function FieldModeEntry(props) {
  const { element, id, field, label } = props;
  const bpmnFactory = useService("bpmnFactory");
  const commandStack = useService("commandStack");
  const bo = getBusinessObject(element);
  const form = extensionOf(bo, "egov:Form");
  const fields = form ? form.get("fields") || [] : [];
  const current = fields.find((entry) => entry.get("name") === field);
  return SelectEntry({
    element,
    id,
    label,
    getValue: () => (current ? current.get("mode") || "editable" : "editable"),
    setValue: (mode) => {
      if (!form) {
        return;
      }
      const others = fields.filter((entry) => entry.get("name") !== field);
      // "editable" is the default: only exceptions are written down.
      const kept =
        mode === "editable"
          ? others
          : [...others, create(bpmnFactory, "egov:Field", { name: field, mode }, form)];
      run(commandStack, [update(element, form, { fields: kept })]);
    },
    getOptions: () => FIELD_MODES,
  });
}

function formEntries(element, directory) {
  const bo = getBusinessObject(element);
  const entries = [
    { id: "egov-form-key", component: FormKeyEntry, directory, isEdited: isSelectEntryEdited },
  ];
  const key = attr(bo, "egov:Form", "key");
  if (!key) {
    return entries;
  }
  entries.push({
    id: "egov-form-version",
    component: FormVersionEntry,
    directory,
    isEdited: isSelectEntryEdited,
  });
  const form = formOf(directory, key);
  if (form && is(element, "bpmn:UserTask")) {
    form.fields.forEach((field, index) => {
      entries.push({
        id: `egov-field-${index}`,
        component: FieldModeEntry,
        field: field.path,
        label: `字段：${field.label}（${field.path}）`,
        isEdited: isSelectEntryEdited,
      });
    });
  }
  return entries;
}

// ---------------------------------------------------------------- 服务处理, 流转条件

function HandlerEntry(props) {
  const { element, id, directory } = props;
  const modeling = useService("modeling");
  const bo = getBusinessObject(element);
  return SelectEntry({
    element,
    id,
    label: "处理程序",
    getValue: () => bo.get("egov:handler") || "",
    setValue: (value) => modeling.updateProperties(element, { "egov:handler": value || undefined }),
    getOptions: () =>
      withBlank(
        directory.handlers.map((handler) => ({
          value: handler.name,
          label: `${handler.label}（${handler.name}）`,
        })),
        "（请选择处理程序）",
      ),
  });
}

function ConditionEntry(props) {
  const { element, id } = props;
  const bpmnFactory = useService("bpmnFactory");
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  return TextAreaEntry({
    element,
    id,
    label: "流转条件",
    description: '按表单数据判断，如 days > 3 and kind == "sick"；outcome == "approve" 表示上一环节同意',
    debounce,
    getValue: () => {
      const condition = bo.get("conditionExpression");
      return condition ? condition.get("body") || "" : "";
    },
    setValue: (value) => {
      const body = (value || "").trim();
      const conditionExpression = body
        ? create(bpmnFactory, "bpmn:FormalExpression", { body }, bo)
        : undefined;
      modeling.updateProperties(element, { conditionExpression });
    },
  });
}

function isBranchFlow(element) {
  if (!is(element, "bpmn:SequenceFlow")) {
    return false;
  }
  const source = getBusinessObject(element).get("sourceRef");
  return Boolean(
    source &&
      (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway")) &&
      source.get("default") !== getBusinessObject(element),
  );
}

// ---------------------------------------------------------------- provider

class EgovPropertiesProvider {
  constructor(propertiesPanel, egovDirectory) {
    this._directory = egovDirectory;
    propertiesPanel.registerProvider(400, this);
  }

  getGroups(element) {
    return (groups) => {
      const directory = this._directory;
      const result = groups.map((group) => {
        // People come from the assignment rule; the engine refuses a loop
        // cardinality, so the designer does not offer it.
        if (group.id === "multiInstance") {
          return {
            ...group,
            entries: group.entries.filter((entry) => entry.id !== "loopCardinality"),
          };
        }
        return group;
      });
      const extra = [];
      if (is(element, "bpmn:UserTask")) {
        extra.push({
          id: "egov-handling",
          label: "办理设置",
          entries: handlingEntries(element, directory),
        });
      }
      if (is(element, "bpmn:UserTask")) {
        extra.push({ id: "egov-operations", label: "可用操作", entries: operationEntries() });
      }
      if (is(element, "bpmn:UserTask") || is(element, "bpmn:StartEvent")) {
        extra.push({ id: "egov-form", label: "表单设置", entries: formEntries(element, directory) });
      }
      if (is(element, "bpmn:ServiceTask")) {
        extra.push({
          id: "egov-service",
          label: "服务处理",
          entries: [
            { id: "egov-handler", component: HandlerEntry, directory, isEdited: isSelectEntryEdited },
          ],
        });
      }
      if (isBranchFlow(element)) {
        extra.push({
          id: "egov-condition",
          label: "流转条件",
          entries: [
            { id: "egov-condition-body", component: ConditionEntry, isEdited: isTextAreaEntryEdited },
          ],
        });
      }
      result.splice(1, 0, ...extra);
      return result;
    };
  }
}
EgovPropertiesProvider.$inject = ["propertiesPanel", "egovDirectory"];

export function egovPropertiesModule(directory) {
  return {
    __init__: ["egovPropertiesProvider"],
    egovPropertiesProvider: ["type", EgovPropertiesProvider],
    egovDirectory: ["value", directory],
  };
}
