// The form designer page (系统管理 → 表单管理): the form-js editor, saving a
// draft and publishing a version through the eforms JSON endpoints.
//
// The root element `[data-egov-form-designer]` carries:
//   data-schema-url  GET -> {"key", "name", "version", "published", "schema"} (absent for a new form)
//   data-save-url    POST {"key", "name", "schema"} -> {"version", "edit_url"} | {"message", "errors"}
//   data-publish-url POST {"key"} -> {"redirect"} | {"message"}
import { FormEditor } from "@bpmn-io/form-js-editor";
import "@bpmn-io/form-js/dist/assets/form-js.css";
import "@bpmn-io/form-js/dist/assets/form-js-editor.css";
import "@bpmn-io/form-js/dist/assets/properties-panel.css";
import "./styles/forms.css";

import { admitEditorStyles } from "./lib/csp-styles.js";
import { EgovFormEditorModule } from "./lib/form-editor-setup.js";
import { translateFormEditor } from "./lib/form-editor-zh.js";
import { getJSON, postJSON, showAlert } from "./lib/http.js";

const EMPTY_SCHEMA = {
  type: "default",
  components: [],
  schemaVersion: 18,
};

function uniqueSchemaId(key) {
  return `Form_${key || "new"}`;
}

async function start(root) {
  const messages = root.querySelector("[data-egov-designer-messages]");
  const keyInput = root.querySelector("[name=key]");
  const nameInput = root.querySelector("[name=name]");
  const status = root.querySelector("[data-egov-designer-status]");
  const editor = new FormEditor({
    container: root.querySelector("[data-egov-form-canvas]"),
    additionalModules: [EgovFormEditorModule],
  });
  translateFormEditor(root.querySelector("[data-egov-form-canvas]"));

  let schema = { ...EMPTY_SCHEMA };
  if (root.dataset.schemaUrl) {
    try {
      const loaded = await getJSON(root.dataset.schemaUrl);
      schema = loaded.schema;
    } catch (error) {
      showAlert(messages, "danger", "表单定义加载失败，请刷新页面重试");
      return;
    }
  }
  await editor.importSchema(schema);
  let dirty = false;
  editor.on("changed", () => {
    dirty = true;
    if (status) {
      status.textContent = "有未保存的修改";
    }
  });

  async function save() {
    const current = editor.saveSchema();
    current.id = current.id || uniqueSchemaId(keyInput.value);
    const result = await postJSON(
      root.dataset.saveUrl,
      { key: keyInput.value.trim(), name: nameInput.value.trim(), schema: current },
      root,
    );
    keyInput.classList.remove("is-invalid");
    nameInput.classList.remove("is-invalid");
    if (!result.ok) {
      const errors = result.body.errors || {};
      if (errors.key) {
        keyInput.classList.add("is-invalid");
      }
      if (errors.name) {
        nameInput.classList.add("is-invalid");
      }
      showAlert(messages, "danger", result.body.message || "保存失败", errors.schema);
      return null;
    }
    dirty = false;
    keyInput.readOnly = true;
    if (status) {
      status.textContent = `已保存为第${result.body.version}版草稿`;
    }
    root.dataset.publishUrl = result.body.publish_url;
    if (result.body.edit_url && window.location.pathname !== result.body.edit_url) {
      window.history.replaceState(null, "", result.body.edit_url);
    }
    showAlert(messages, "success", result.body.message);
    return result.body;
  }

  root.querySelector("[data-egov-action=save]").addEventListener("click", () => {
    save();
  });
  root.querySelector("[data-egov-action=publish]").addEventListener("click", async () => {
    const saved = await save();
    if (!saved) {
      return;
    }
    const result = await postJSON(root.dataset.publishUrl, { key: saved.key }, root);
    if (result.ok && result.body.redirect) {
      window.location.assign(result.body.redirect);
      return;
    }
    showAlert(messages, result.ok ? "success" : "danger", result.body.message);
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
    }
  });
  window.egovFormDesigner = { editor, save };
  root.dataset.egovDesignerReady = "true";
}

admitEditorStyles();
document.querySelectorAll("[data-egov-form-designer]").forEach((root) => {
  start(root);
});
