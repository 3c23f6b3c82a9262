// Read-only BPMN diagrams: <div class="app-bpmn-viewer" data-bpmn-url="/same/origin.bpmn"
// data-bpmn-highlight="Activity_id [Other_id ...]"></div> fetches the XML, renders it with bpmn-js's
// NavigatedViewer (pan and zoom, no editing), fits it to the box and marks one element.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

async function show(container) {
  const response = await fetch(container.dataset.bpmnUrl, {
    credentials: "same-origin",
    headers: { Accept: "application/xml, text/xml" },
  });
  if (!response.ok) throw new Error(`${response.status} fetching ${container.dataset.bpmnUrl}`);
  const viewer = new NavigatedViewer({ container });
  await viewer.importXML(await response.text());
  viewer.get("canvas").zoom("fit-viewport", "auto");
  // One id, or several separated by spaces (the change view marks every changed element).
  const registry = viewer.get("elementRegistry");
  for (const id of (container.dataset.bpmnHighlight || "").split(/\s+/)) {
    if (id && registry.get(id)) viewer.get("canvas").addMarker(id, "highlight");
  }
  container.dataset.bpmnState = "ready"; // lets tests wait for the drawing
}

function showAll() {
  for (const container of document.querySelectorAll("[data-bpmn-url]")) {
    show(container).catch((error) => {
      container.dataset.bpmnState = "error";
      container.textContent = "The diagram could not be shown.";
      console.error(error);
    });
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", showAll);
} else {
  showAll();
}
