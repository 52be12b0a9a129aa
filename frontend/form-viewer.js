// The form widget of task pages and of the form preview.
//
// A container marked `data-egov-form` names three URLs:
//   data-schema-url  GET  -> {"schema": <form-js schema>}
//   data-data-url    GET  -> {"data": {...}}   (optional; the schema answer's
//                    "data" is used when there is no separate data URL)
//   data-submit-url  POST <- {"data": {...}, "action": ..., <extras>}
// Buttons inside it with `data-egov-submit="<action>"` submit; inputs inside it
// with `data-egov-extra` add their `name`/value to the payload (e.g. an
// opinion). The server answers {"redirect": url} or {"message": ...} on
// success, and {"message": ..., "errors": {"a.b": ["..."]}} when it refuses;
// field errors appear under the fields, the rest above the form.
import { Form } from "@bpmn-io/form-js-viewer";
import "@bpmn-io/form-js/dist/assets/form-js.css";
import "./styles/forms.css";

import { translateWithin } from "./lib/dom-translate.js";
import { ChineseValidatorModule } from "./lib/form-validator.js";
import { getJSON, postJSON, showAlert } from "./lib/http.js";

const forms = new Map();

// The few words form-js's viewer writes itself (field labels come from the
// schema and are already Chinese).
const VIEWER_TEXT = {
  Select: "请选择",
  Search: "搜索",
  "No results": "无匹配项",
  "All values selected": "已全部选择",
  "Add new": "新增一项",
  Collapse: "收起",
};
const VIEWER_PATTERNS = [[/^Expand all \((\d+)\)$/, "全部展开（$1）"]];

function instancePaths(form) {
  const registry = form.get("formFieldInstanceRegistry");
  return registry.getAllKeyed().map((instance) => ({
    path: instance.valuePath.join("."),
    id: instance.id,
    indexes: instance.indexes || {},
  }));
}

// Puts the server's messages where form-js shows its own: state.errors is
// keyed by field id, then by the repeat indexes of the instance.
function showFieldErrors(form, errors) {
  const byPath = new Map(instancePaths(form).map((entry) => [entry.path, entry]));
  const state = {};
  const unplaced = [];
  for (const [path, messages] of Object.entries(errors || {})) {
    const entry = byPath.get(path);
    if (!entry) {
      unplaced.push(`${path ? `${path}：` : ""}${messages.join("；")}`);
      continue;
    }
    const keys = [entry.id, ...Object.values(entry.indexes)];
    let target = state;
    keys.slice(0, -1).forEach((key) => {
      target[key] = target[key] || {};
      target = target[key];
    });
    target[keys[keys.length - 1]] = messages;
  }
  form._setState({ errors: state });
  return unplaced;
}

function extras(container) {
  const values = {};
  container.querySelectorAll("[data-egov-extra]").forEach((input) => {
    values[input.name] = input.value;
  });
  return values;
}

async function submit(container, form, action) {
  const messages = container.querySelector("[data-egov-form-messages]");
  const { data, errors } = form.submit();
  if (Object.keys(errors).length) {
    showAlert(messages, "danger", "表单填写有误，请按提示修改后重新提交");
    return;
  }
  const buttons = container.querySelectorAll("[data-egov-submit]");
  buttons.forEach((button) => {
    button.disabled = true;
  });
  const payload = { data, ...extras(container) };
  if (action) {
    payload.action = action;
  }
  const result = await postJSON(container.dataset.submitUrl, payload, container);
  buttons.forEach((button) => {
    button.disabled = false;
  });
  if (result.ok) {
    form._setState({ errors: {} });
    if (result.body.redirect) {
      window.location.assign(result.body.redirect);
      return;
    }
    showAlert(messages, "success", result.body.message || "已提交");
    container.dispatchEvent(
      new CustomEvent("egov:form-submitted", { bubbles: true, detail: result.body }),
    );
    return;
  }
  const unplaced = showFieldErrors(form, result.body.errors);
  showAlert(messages, "danger", result.body.message || "提交失败", unplaced);
}

async function mount(container) {
  const canvas = container.querySelector("[data-egov-form-canvas]") || container;
  const messages = container.querySelector("[data-egov-form-messages]");
  let schema;
  let data = {};
  try {
    const loaded = await getJSON(container.dataset.schemaUrl);
    schema = loaded.schema;
    // One endpoint may answer both: {"schema": ..., "data": ...}.
    data = loaded.data || {};
    if (container.dataset.dataUrl && container.dataset.dataUrl !== container.dataset.schemaUrl) {
      data = (await getJSON(container.dataset.dataUrl)).data || {};
    }
  } catch (error) {
    showAlert(messages, "danger", "表单加载失败，请刷新页面重试");
    return;
  }
  translateWithin(canvas, VIEWER_TEXT, VIEWER_PATTERNS);
  const form = new Form({ container: canvas, additionalModules: [ChineseValidatorModule] });
  await form.importSchema(schema, data);
  // Without a URL of its own the form is read-only, unless the page says
  // otherwise: then a form around it collects the data (data-readonly=false).
  const readOnly =
    container.dataset.readonly === "true" ||
    (!container.dataset.submitUrl && container.dataset.readonly !== "false");
  if (readOnly) {
    form.setProperty("readOnly", true);
  }
  forms.set(container, form);
  // Buttons of ours and form-js's own submit button (a "button" component
  // with action submit) both post through here.
  container.addEventListener("click", (event) => {
    const button = event.target.closest("[data-egov-submit], .fjs-button[type=submit]");
    if (!button || readOnly) {
      return;
    }
    event.preventDefault();
    submit(container, form, button.dataset ? button.dataset.egovSubmit || "" : "");
  });
  container.dataset.egovFormReady = "true";
  container.dispatchEvent(new CustomEvent("egov:form-ready", { bubbles: true }));
}

window.egovForms = {
  formFor(container) {
    return forms.get(container);
  },
  submit(container, action) {
    const form = forms.get(container);
    return form ? submit(container, form, action || "") : Promise.resolve();
  },
};

document.querySelectorAll("[data-egov-form]").forEach((container) => {
  mount(container);
});
