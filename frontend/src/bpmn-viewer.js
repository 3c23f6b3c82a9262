// Read-only BPMN diagrams: <div class="app-bpmn-viewer" data-bpmn-url="/same/origin.bpmn"
// data-bpmn-highlight="Activity_id [Other_id ...]"></div> fetches the XML, draws it with bpmn-js's
// Viewer and marks the elements named.
//
// Readable first (issue 18): the diagram is drawn at full size (bpmn-js's 12 px labels) or larger,
// never shrunk to fit; a box wider than the page scrolls sideways inside a region that is a Tab
// stop only because it scrolls, and opens on the marked step. Zoom in, Zoom out and Fit to width
// are real buttons above it, and a single marked step is named in words beside the diagram
// ("This task: Validate the returned agreement"). The drawing itself is one image with a name
// in a named group, not a Tab stop; the bpmn.io attribution stays visible but out of the tab order.
import Viewer from "bpmn-js/lib/Viewer";

const MARGIN = 24; // diagram units around the drawing
const READABLE = 1; // bpmn-js draws labels at 12 px at scale 1: the smallest we open at
const MIN_SCALE = 0.3;
const MAX_SCALE = 2;
const STEP = 1.25;

function element(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function markedNames(viewer, ids) {
  const registry = viewer.get("elementRegistry");
  const canvas = viewer.get("canvas");
  const names = [];
  for (const id of ids) {
    const shape = registry.get(id);
    if (!shape) continue;
    canvas.addMarker(id, "highlight");
    names.push(shape.businessObject.name || "an unnamed step");
  }
  return names;
}

// The bpmn.io link must stay visible (its licence), but it is not part of our page's work.
function quietenChrome(container) {
  for (const link of container.querySelectorAll(".bjs-powered-by")) {
    link.setAttribute("tabindex", "-1");
    link.setAttribute("aria-hidden", "true");
  }
  for (const svg of container.querySelectorAll("svg[tabindex]")) svg.setAttribute("tabindex", "-1");
}

function describe(container, label, names) {
  const figcaption = container.closest("figure")?.querySelector("figcaption");
  let name = figcaption?.textContent.trim() || "Process diagram";
  if (!figcaption && names.length === 1) name += `, with ${names[0]} outlined in blue`;
  // The drawing is the image; the box around it also holds the bpmn.io link, and an image may
  // not contain a link (axe nested-interactive), so the box is a named group.
  container.setAttribute("role", "group");
  container.setAttribute("aria-label", "Process diagram");
  const svg = container.querySelector("svg");
  svg?.setAttribute("role", "img");
  svg?.setAttribute("aria-label", name);
  if (names.length === 1) {
    const current = element("p", { class: "govuk-body app-bpmn-current" });
    current.append(element("strong", {}, `${label}: `), document.createTextNode(names[0]));
    return current;
  }
  return null;
}

class Diagram {
  constructor(container, viewer) {
    this.container = container;
    this.viewer = viewer;
    this.canvas = viewer.get("canvas");
    this.inner = this.canvas.viewbox().inner; // the drawing's extent at scale 1
    this.box = element("div", { class: "app-bpmn-box", "data-bpmn-box": "" });
    container.before(this.box);
    this.box.append(container);
    this.status = element("p", { class: "govuk-body-s app-bpmn-zoom", "aria-live": "polite" });
  }

  widthToFit() {
    return (this.box.clientWidth - 2) / (this.inner.width + 2 * MARGIN);
  }

  zoomTo(scale) {
    // Zooming out stops at the whole width (or 30% for a small diagram).
    const floor = Math.min(MIN_SCALE, this.widthToFit());
    this.scale = Math.min(MAX_SCALE, Math.max(floor, scale));
    const width = (this.inner.width + 2 * MARGIN) * this.scale;
    const height = (this.inner.height + 2 * MARGIN) * this.scale;
    this.container.style.width = `${Math.max(width, this.box.clientWidth - 2)}px`;
    this.container.style.height = `${Math.ceil(height)}px`;
    this.canvas.resized();
    this.canvas.viewbox({
      x: this.inner.x - MARGIN, y: this.inner.y - MARGIN,
      width: this.container.clientWidth / this.scale, height: this.container.clientHeight / this.scale,
    });
    const scrolls = this.box.scrollWidth > this.box.clientWidth + 1;
    // A box that scrolls must be reachable by keyboard (WCAG 2.1.1); one that does not is no stop.
    if (scrolls) {
      this.box.setAttribute("tabindex", "0");
      this.box.setAttribute("role", "region");
      this.box.setAttribute("aria-label", "Process diagram: scroll sideways to see all of it");
    } else {
      for (const name of ["tabindex", "role", "aria-label"]) this.box.removeAttribute(name);
    }
    this.container.dataset.bpmnScale = this.scale.toFixed(2);
    this.status.textContent = `Zoom ${Math.round(this.scale * 100)}%`
      + (scrolls ? ". Scroll sideways to see the whole diagram." : "");
  }

  // Open on the marked step: scroll it into the middle of the box.
  scrollToMarked(ids) {
    const shape = ids.map((id) => this.viewer.get("elementRegistry").get(id)).find(Boolean);
    if (!shape) return;
    const centre = (shape.x + shape.width / 2 - this.inner.x + MARGIN) * this.scale;
    this.box.scrollLeft = Math.max(0, centre - this.box.clientWidth / 2);
  }

  toolbar(current) {
    const bar = element("div", { class: "app-bpmn-toolbar" });
    const buttons = element("div", { class: "govuk-button-group app-bpmn-toolbar__buttons" });
    const button = (text, action) => {
      const b = element("button", {
        type: "button", class: "govuk-button govuk-button--secondary app-bpmn-toolbar__button",
        "data-module": "govuk-button",
      }, text);
      b.addEventListener("click", action);
      buttons.append(b);
    };
    button("Zoom in", () => this.zoomTo(this.scale * STEP));
    button("Zoom out", () => this.zoomTo(this.scale / STEP));
    button("Fit to width", () => this.zoomTo(this.widthToFit()));
    if (current) bar.append(current);
    bar.append(buttons, this.status);
    this.box.before(bar);
  }
}

async function show(container) {
  const response = await fetch(container.dataset.bpmnUrl, {
    credentials: "same-origin",
    headers: { Accept: "application/xml, text/xml" },
  });
  if (!response.ok) throw new Error(`${response.status} fetching ${container.dataset.bpmnUrl}`);
  const viewer = new Viewer({ container });
  await viewer.importXML(await response.text());
  // One id, or several separated by spaces (the change view marks every changed element).
  const ids = (container.dataset.bpmnHighlight || "").split(/\s+/).filter(Boolean);
  const names = markedNames(viewer, ids);
  quietenChrome(container);
  const label = window.location.pathname.startsWith("/tasks/") ? "This task" : "Marked step";
  const current = describe(container, label, names);
  const diagram = new Diagram(container, viewer);
  diagram.toolbar(current);
  // The attribution sits below the box, so it stays in view however the diagram is scrolled.
  const credit = element("div", { class: "app-bpmn-credit" });
  for (const link of container.querySelectorAll(".bjs-powered-by")) {
    // bpmn-js places it with inline styles over the diagram's corner; below the box it flows.
    for (const property of ["position", "right", "bottom", "top", "left", "z-index"]) {
      link.style.removeProperty(property);
    }
    credit.append(link);
  }
  diagram.box.after(credit);
  diagram.zoomTo(Math.max(READABLE, Math.min(diagram.widthToFit(), MAX_SCALE / 1.6)));
  diagram.scrollToMarked(ids);
  let width = diagram.box.clientWidth;
  window.addEventListener("resize", () => {
    if (diagram.box.clientWidth !== width) {
      width = diagram.box.clientWidth;
      diagram.zoomTo(diagram.scale);
    }
  });
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
