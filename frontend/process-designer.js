// The process designer page (系统管理 → 流程管理): the bpmn-js modeler with the
// properties panel and the Chinese "办理设置", opening and saving .bpmn files,
// and deploying through the workflow engine.
//
// The root element `[data-egov-process-designer]` carries:
//   data-directory-url GET -> {posts, roles, organizations, forms, handlers}
//   data-xml-url       GET -> {"xml", "key", "name"} (absent for a new process)
//   data-deploy-url    POST {"key", "name", "description", "xml"}
//                        -> {"message", "redirect"} | {"message", "problems": [...]}
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "./styles/process.css";

import egovModdle from "../egov/workflow/static/workflow/egov-moddle.json";
import { TranslateModule } from "./lib/bpmn-zh.js";
import { admitEditorStyles } from "./lib/csp-styles.js";
import { egovPropertiesModule } from "./lib/egov-properties.js";
import { getJSON, postJSON, showAlert } from "./lib/http.js";

const NEW_DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:egov="urn:egov:schema:bpmn:1.0"
  id="Definitions_1" targetNamespace="urn:egov:process">
  <bpmn:process id="Process_1" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="开始" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_1">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

const EMPTY_DIRECTORY = { posts: [], roles: [], organizations: [], forms: [], handlers: [] };

function download(filename, text) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "application/xml" }));
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(link.href);
}

async function start(root) {
  const messages = root.querySelector("[data-egov-designer-messages]");
  const field = (name) => root.querySelector(`[name=${name}]`);
  let directory = EMPTY_DIRECTORY;
  try {
    directory = { ...EMPTY_DIRECTORY, ...(await getJSON(root.dataset.directoryUrl)) };
  } catch (error) {
    showAlert(messages, "warning", "机构、岗位和表单目录加载失败，办理设置中的选项可能不全");
  }
  const modeler = new BpmnModeler({
    container: root.querySelector("[data-egov-process-canvas]"),
    propertiesPanel: { parent: root.querySelector("[data-egov-process-properties]") },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      egovPropertiesModule(directory),
      TranslateModule,
    ],
    moddleExtensions: { egov: egovModdle },
  });

  async function open(xml) {
    try {
      const result = await modeler.importXML(xml);
      modeler.get("canvas").zoom("fit-viewport", "auto");
      if (result.warnings && result.warnings.length) {
        showAlert(messages, "warning", "文件已打开，但有部分内容无法识别：", result.warnings.map((w) => w.message));
      }
      return true;
    } catch (error) {
      showAlert(messages, "danger", "无法打开该流程文件：" + error.message);
      return false;
    }
  }

  let xml = NEW_DIAGRAM;
  if (root.dataset.xmlUrl) {
    try {
      xml = (await getJSON(root.dataset.xmlUrl)).xml;
    } catch (error) {
      showAlert(messages, "danger", "流程定义加载失败，请刷新页面重试");
      return;
    }
  }
  await open(xml);

  const fileInput = root.querySelector("[data-egov-action=open-file]");
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    fileInput.value = "";
    if (!file) {
      return;
    }
    if (file.size > 2 * 1024 * 1024) {
      showAlert(messages, "danger", "流程文件不能超过 2 MB");
      return;
    }
    if (await open(await file.text())) {
      showAlert(messages, "info", `已打开文件“${file.name}”，检查无误后可部署`);
    }
  });

  root.querySelector("[data-egov-action=download]").addEventListener("click", async () => {
    const { xml: current } = await modeler.saveXML({ format: true });
    download(`${field("key").value.trim() || "process"}.bpmn`, current);
  });

  root.querySelector("[data-egov-action=deploy]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const { xml: current } = await modeler.saveXML({ format: true });
    button.disabled = true;
    const result = await postJSON(
      root.dataset.deployUrl,
      {
        key: field("key").value.trim(),
        name: field("name").value.trim(),
        description: field("description").value.trim(),
        xml: current,
      },
      root,
    );
    button.disabled = false;
    ["key", "name"].forEach((name) => field(name).classList.remove("is-invalid"));
    if (result.ok && result.body.redirect) {
      window.location.assign(result.body.redirect);
      return;
    }
    Object.keys(result.body.errors || {}).forEach((name) => {
      if (field(name)) {
        field(name).classList.add("is-invalid");
      }
    });
    showAlert(messages, "danger", result.body.message || "部署失败", result.body.problems);
  });

  window.egovProcessDesigner = { modeler, open };
  root.dataset.egovDesignerReady = "true";
}

admitEditorStyles();
document.querySelectorAll("[data-egov-process-designer]").forEach((root) => {
  start(root);
});
