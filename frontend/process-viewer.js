// The process diagram widget of task and instance pages.
//
// A container marked `data-egov-process-viewer` names `data-diagram-url`,
// which answers {"xml": "<bpmn...>", "active": [ids], "completed": [ids]}.
// The diagram is drawn read-only, active nodes highlighted in blue and
// completed ones in green (CSS classes, no inline styles).
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./styles/process.css";

import { getJSON } from "./lib/http.js";

function mark(viewer, ids, className) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  for (const id of ids || []) {
    if (registry.get(id)) {
      canvas.addMarker(id, className);
    }
  }
}

function showProblem(container, message) {
  const problem = document.createElement("div");
  problem.className = "alert alert-warning mb-0";
  problem.textContent = message;
  container.replaceChildren(problem);
}

async function mount(container) {
  let diagram;
  try {
    diagram = await getJSON(container.dataset.diagramUrl);
  } catch (error) {
    showProblem(container, "流程图加载失败");
    return;
  }
  const canvasElement = document.createElement("div");
  canvasElement.className = "egov-process-canvas";
  container.replaceChildren(canvasElement);
  const viewer = new NavigatedViewer({ container: canvasElement });
  try {
    await viewer.importXML(diagram.xml);
  } catch (error) {
    showProblem(container, "流程图无法显示");
    return;
  }
  viewer.get("canvas").zoom("fit-viewport", "auto");
  mark(viewer, diagram.completed, "egov-node-completed");
  mark(viewer, diagram.active, "egov-node-active");
  container.dataset.egovViewerReady = "true";
  container.egovViewer = viewer;
  container.dispatchEvent(new CustomEvent("egov:diagram-ready", { bubbles: true }));
}

document.querySelectorAll("[data-egov-process-viewer]").forEach((container) => {
  mount(container);
});
