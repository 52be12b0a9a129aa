// Chinese labels for the form-js editor. form-js has no translation service
// for most of its editor, so text it renders is swapped for the Chinese text
// as it appears. Strings not listed stay in English.

const TEXT = {
  // palette
  Components: "组件",
  "Search components": "搜索组件",
  "No components found.": "没有找到组件",
  Input: "输入",
  Selection: "选择",
  Presentation: "展示",
  Containers: "容器",
  Action: "操作",
  "Text field": "单行文本",
  "Text area": "多行文本",
  Number: "数字",
  "Date time": "日期时间",
  Checkbox: "复选框",
  "Checkbox group": "多选组",
  "Radio group": "单选组",
  Select: "下拉选择",
  "Tag list": "标签选择",
  "Text view": "说明文字",
  "HTML view": "HTML 内容",
  "Image view": "图片",
  Table: "表格",
  Spacer: "间距",
  Separator: "分隔线",
  Group: "分组",
  "Dynamic list": "动态列表",
  Button: "按钮",
  iFrame: "内嵌网页",
  Expression: "表达式",
  "File picker": "文件上传",
  "Document preview": "文档预览",
  "Build your form": "开始设计表单",
  "Drag and drop components here to start designing.": "从左侧拖动组件到这里开始设计",
  "Drag and drop components here.": "拖动组件到这里",
  "Use the preview window to test your form.": "保存后可在“预览”中试填表单",
  // properties panel
  General: "常规",
  Label: "标签",
  "Field label": "字段标签",
  "Group label": "分组标签",
  "Table label": "表格标签",
  Title: "标题",
  Key: "字段标识",
  ID: "编号",
  Path: "数据路径",
  "Field description": "字段说明",
  "Default value": "默认值",
  Disabled: "禁用",
  "Read only": "只读",
  Required: "必填",
  Validation: "校验",
  Constraints: "约束",
  Condition: "条件",
  "Hide if": "隐藏条件",
  "Deactivate if": "停用条件",
  Layout: "布局",
  Columns: "列宽",
  Auto: "自动",
  Appearance: "外观",
  Prefix: "前缀",
  Suffix: "后缀",
  Serialization: "序列化",
  "Output as string": "以文本输出",
  "Custom properties": "自定义属性",
  "Validation pattern": "校验规则",
  "Custom regular expression": "自定义正则表达式",
  "Custom error message": "自定义错误提示",
  "Minimum length": "最小长度",
  "Maximum length": "最大长度",
  Minimum: "最小值",
  Maximum: "最大值",
  "Decimal digits": "小数位数",
  Increment: "步长",
  Email: "电子邮箱",
  Phone: "电话号码",
  Custom: "自定义",
  "Options source": "选项来源",
  "Static options": "固定选项",
  "List of items": "选项列表",
  "Input data": "输入数据",
  "Dynamic options": "动态选项",
  "Options expression": "选项表达式",
  "Input values key": "输入数据的键",
  Value: "值",
  Text: "文本",
  Content: "内容",
  Subtype: "类型",
  Date: "日期",
  Time: "时间",
  "Date & Time": "日期和时间",
  "Date label": "日期标签",
  "Time label": "时间标签",
  "Use 24h": "24小时制",
  "Time format": "时间格式",
  "Time interval": "时间间隔",
  "Disallow past dates": "不允许选择过去的日期",
  "UTC offset": "带时区偏移",
  "UTC normalized": "UTC 时间",
  "No timezone": "不带时区",
  Searchable: "可搜索",
  Checked: "已勾选",
  "Not checked": "未勾选",
  Type: "类型",
  Submit: "提交",
  Reset: "重置",
  "Form submission": "表单提交",
  "Allow add/delete items": "允许增删条目",
  "Default number of items": "默认条目数",
  "Disable collapse": "禁止折叠",
  "Number of non-collapsing items": "不折叠的条目数",
  "Show outline": "显示边框",
  "Vertical alignment": "垂直对齐",
  Top: "顶部",
  Center: "居中",
  Bottom: "底部",
  Height: "高度",
  "Alternative text": "替代文字",
  "Image source": "图片地址",
  "Version tag": "版本标签",
  "<none>": "<无>",
  "<empty>": "<空>",
  "Toggle section": "展开/收起",
  "Section contains an error": "此部分有错误",
  "Section contains edits": "此部分已修改",
  "Delete item": "删除条目",
  "Toggle list item": "展开/收起条目",
  "Open documentation": "打开文档",
  "Must not be empty.": "不能为空",
  "Must be unique.": "不能重复",
  "Must be a unique key.": "字段标识不能重复",
  "Select a component to edit its properties.": "选择一个组件以编辑其属性",
  "Form": "表单",
  "Binds to a form variable": "绑定到表单数据中的变量",
  "Where the child variables of this component are pathed to.": "此组件内字段的数据存放路径",
};

const ATTRIBUTES = ["title", "placeholder", "aria-label"];

function translateNode(node) {
  if (node.nodeType === Node.TEXT_NODE) {
    const key = node.data.trim();
    if (key && Object.prototype.hasOwnProperty.call(TEXT, key)) {
      node.data = node.data.replace(key, TEXT[key]);
    }
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) {
    return;
  }
  for (const name of ATTRIBUTES) {
    const value = node.getAttribute(name);
    if (value && Object.prototype.hasOwnProperty.call(TEXT, value)) {
      node.setAttribute(name, TEXT[value]);
    }
  }
  node.childNodes.forEach(translateNode);
}

export function translateFormEditor(root) {
  translateNode(root);
  const observer = new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === "characterData") {
        translateNode(mutation.target);
      } else if (mutation.type === "attributes") {
        translateNode(mutation.target);
      } else {
        mutation.addedNodes.forEach(translateNode);
      }
    }
  });
  observer.observe(root, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
  return observer;
}
