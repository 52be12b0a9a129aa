// Adjustments of the form-js editor for this platform: Chinese palette names
// and default labels, no components the server cannot check, and a "中文校验"
// section in the properties panel that writes the `egov:validator` property.
// The form-js editor renders with the `preact` it depends on (pinned by its
// peer range); the entry below must use that same copy, not the one
// @bpmn-io/properties-panel ships, or its hooks would see no component.
import { h } from "preact";

import { VALIDATOR_PROPERTY } from "./validators.js";

// Components the server refuses (see egov/eforms/validation.py).
const UNSUPPORTED = ["filepicker", "expression", "iframe", "table", "documentPreview"];

const NAMES = {
  textfield: "单行文本",
  textarea: "多行文本",
  number: "数字",
  datetime: "日期时间",
  checkbox: "复选框",
  checklist: "多选组",
  radio: "单选组",
  select: "下拉选择",
  taglist: "标签选择",
  text: "说明文字",
  html: "HTML 内容",
  image: "图片",
  spacer: "间距",
  separator: "分隔线",
  group: "分组",
  dynamiclist: "动态列表",
  button: "按钮",
};

const DEFAULT_LABELS = {
  "Text field": "单行文本",
  "Text area": "多行文本",
  Number: "数字",
  Checkbox: "复选框",
  "Checkbox group": "多选组",
  "Radio group": "单选组",
  Select: "下拉选择",
  "Tag list": "标签选择",
  Group: "分组",
  "Dynamic list": "动态列表",
  Button: "按钮",
  Submit: "提交",
  Value: "选项",
  Date: "日期",
  Time: "时间",
};

function chineseLabels(created) {
  if (created.label && DEFAULT_LABELS[created.label]) {
    created.label = DEFAULT_LABELS[created.label];
  }
  for (const key of ["dateLabel", "timeLabel"]) {
    if (created[key] && DEFAULT_LABELS[created[key]]) {
      created[key] = DEFAULT_LABELS[created[key]];
    }
  }
  if (Array.isArray(created.values)) {
    created.values = created.values.map((option) => ({
      ...option,
      label: DEFAULT_LABELS[option.label] || option.label,
    }));
  }
  return created;
}

class EgovFieldSetup {
  constructor(formFields) {
    for (const type of UNSUPPORTED) {
      delete formFields._formFields[type];
    }
    for (const [type, name] of Object.entries(NAMES)) {
      const field = formFields.get(type);
      if (!field) {
        continue;
      }
      const { create } = field.config;
      field.config = {
        ...field.config,
        name,
        create: create ? (options = {}) => chineseLabels(create(options)) : create,
      };
    }
  }
}
EgovFieldSetup.$inject = ["formFields"];

const VALIDATOR_OPTIONS = [
  { value: "", label: "（不校验）" },
  { value: "id_number", label: "身份证号" },
  { value: "uscc", label: "统一社会信用代码" },
  { value: "mobile", label: "手机号码" },
];

function ChineseValidatorEntry(props) {
  const { field, editField, id } = props;
  const current = (field.properties || {})[VALIDATOR_PROPERTY] || "";
  const onChange = (event) => {
    const properties = { ...(field.properties || {}) };
    if (event.target.value) {
      properties[VALIDATOR_PROPERTY] = event.target.value;
    } else {
      delete properties[VALIDATOR_PROPERTY];
    }
    editField(field, ["properties"], properties);
  };
  const selectId = `bio-properties-panel-${id}`;
  return h("div", { class: "bio-properties-panel-entry", "data-entry-id": id }, [
    h("div", { class: "bio-properties-panel-select" }, [
      h("label", { for: selectId, class: "bio-properties-panel-label" }, "中文证件/号码校验"),
      h(
        "select",
        { id: selectId, name: id, class: "bio-properties-panel-input", value: current, onChange },
        VALIDATOR_OPTIONS.map((option) =>
          h("option", { key: option.value, value: option.value }, option.label),
        ),
      ),
    ]),
  ]);
}

function isValidatorEdited(node) {
  return Boolean(node && node.value);
}

class ChineseValidatorProvider {
  constructor(propertiesPanel) {
    propertiesPanel.registerProvider(this, 400);
  }

  getGroups(field, editField) {
    return (groups) => {
      if (!field || !["textfield", "textarea"].includes(field.type)) {
        return groups;
      }
      const group = {
        id: "egov-validation",
        label: "中文校验",
        entries: [
          {
            id: "egov-validator",
            component: ChineseValidatorEntry,
            field,
            editField,
            isEdited: isValidatorEdited,
          },
        ],
      };
      const index = groups.findIndex((entry) => entry.id === "validation");
      const result = [...groups];
      result.splice(index < 0 ? result.length : index + 1, 0, group);
      return result;
    };
  }
}
ChineseValidatorProvider.$inject = ["propertiesPanel"];

export const EgovFormEditorModule = {
  __init__: ["egovFieldSetup", "egovValidatorProvider"],
  egovFieldSetup: ["type", EgovFieldSetup],
  egovValidatorProvider: ["type", ChineseValidatorProvider],
};
