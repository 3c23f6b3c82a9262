// The process modeler (docs/frontend.md): bpmn-js Modeler with the properties panel for the
// Camunda 7 dialect (candidate groups, due dates, timers, form fields, external tasks' topic and
// input parameters), and a timer's due time in words (timer-panel.js).  Page contract:
//   <div id="modeler" data-xml-url data-save-url data-publish-url data-csrf>
//     <div id="canvas"></div> <div id="properties"></div> </div>
//   <button id="save-draft">  <button id="publish">  <div id="problems">  <p id="modeler-status">
// Save draft POSTs the XML and marks each element the server's lint finds a problem with;
// Publish stays off while there are problems (warnings allowed) or unsaved changes.  The
// elements the service relies on (the process contract, data-load-bearing) carry a badge.
import BpmnModeler from "bpmn-js/lib/Modeler";
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdleDescriptors from "camunda-bpmn-moddle/resources/camunda.json";
import timerWordsModule from "./timer-panel";
import * as timerWords from "./timer-words";

const byId = (id) => document.getElementById(id);

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null; // e.g. an HTML error page
  }
}

function start(root) {
  const { xmlUrl, saveUrl, publishUrl, csrf } = root.dataset;
  const saveButton = byId("save-draft");
  const publishButton = byId("publish");
  const problemsRegion = byId("problems");
  const statusLine = byId("modeler-status");
  const loadBearingRegion = byId("load-bearing");
  // The dates the process declares and the day settings, in words (timer-panel.js).
  const timerChoices = { dates: [], settings: [], ...JSON.parse(root.dataset.timerChoices || "{}") };

  const modeler = new BpmnModeler({
    container: byId("canvas"),
    propertiesPanel: { parent: byId("properties") },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule,
      timerWordsModule(timerChoices),
    ],
    moddleExtensions: { camunda: camundaModdleDescriptors },
  });
  window.caseworkModeler = modeler; // tests reach elementRegistry, modeling, selection here
  window.caseworkTimerWords = { ...timerWords, choices: timerChoices }; // and the timer forms

  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const registry = modeler.get("elementRegistry");
  const selection = modeler.get("selection");

  let problemCount = 0; // problems that stop publishing; warnings do not
  let unsaved = false;
  let hasDraft = root.dataset.hasDraft === "yes"; // Publish publishes the saved draft only
  let draftHash = root.dataset.draftHash || ""; // the draft this page saw: nobody else's
  let changesSinceSaveStarted = 0;
  let busy = false;
  let marked = [];

  function setStatus(text) {
    if (statusLine) statusLine.textContent = text;
  }

  function setButton(button, enabled) {
    if (!button) return;
    button.disabled = !enabled;
    button.setAttribute("aria-disabled", String(!enabled));
  }

  function refreshButtons() {
    setButton(saveButton, !busy);
    setButton(publishButton, !busy && !unsaved && hasDraft && problemCount === 0);
  }

  // The diagram element a problem is about: its shape, or the pool of a process id.
  function elementFor(id) {
    if (!id) return null;
    return (
      registry.get(id) ||
      registry.find((element) => element.businessObject?.processRef?.id === id) ||
      null
    );
  }

  function isRoot(element) {
    return !element.parent;
  }

  const isWarning = (problem) => problem.severity === "warning";

  function clearProblems() {
    overlays.remove({ type: "problem" });
    for (const id of marked) {
      if (registry.get(id)) {
        canvas.removeMarker(id, "has-problem");
        canvas.removeMarker(id, "has-warning");
      }
    }
    marked = [];
    if (problemsRegion) problemsRegion.replaceChildren();
  }

  function show(element) {
    if (isRoot(element)) {
      // The process itself: an empty selection shows its properties.
      canvas.setRootElement(element);
      selection.select(null);
      return;
    }
    selection.select(element);
    if (typeof canvas.scrollToElement === "function") canvas.scrollToElement(element);
  }

  // problems: [{element_id?, message, line?, severity?}]; warnings are listed apart.
  function showProblems(problems) {
    clearProblems();
    const errors = problems.filter((p) => !isWarning(p));
    const warnings = problems.filter(isWarning);
    problemCount = errors.length;
    root.dataset.problems = String(problemCount);
    root.dataset.warnings = String(warnings.length);
    if (errors.length) problemsRegion?.append(problemList(errors, false));
    if (warnings.length) {
      const heading = document.createElement("h2");
      heading.className = "govuk-heading-s";
      heading.textContent = "Warnings (you can publish, but check each one)";
      problemsRegion?.append(heading, problemList(warnings, true));
    }
  }

  function problemList(problems, warning) {
    const list = document.createElement("ul");
    list.className = warning ? "govuk-list govuk-list--bullet" : "govuk-list govuk-error-summary__list";
    list.dataset.kind = warning ? "warnings" : "problems";
    for (const problem of problems) {
      const message = String(problem.message ?? "Problem");
      const element = elementFor(problem.element_id);
      const item = document.createElement("li");
      if (element) {
        const label = element.businessObject?.name || element.id;
        if (!isRoot(element)) {
          canvas.addMarker(element, warning ? "has-warning" : "has-problem");
          marked.push(element.id);
          const badge = document.createElement("span");
          badge.className = warning ? "problem-badge problem-badge--warning" : "problem-badge";
          badge.title = message;
          badge.textContent = "!";
          overlays.add(element, "problem", { position: { top: -12, right: 12 }, html: badge });
        }
        const link = document.createElement("a");
        link.href = "#canvas";
        link.className = "govuk-link";
        link.dataset.elementId = element.id;
        // A message that names its element already reads well alone.
        link.textContent = message.includes(`'${label}'`) ? message : `${label}: ${message}`;
        link.addEventListener("click", (event) => {
          event.preventDefault();
          show(element);
        });
        item.append(link);
      } else {
        const where = problem.element_id || (problem.line ? `Line ${problem.line}` : "");
        item.textContent = where ? `${where}: ${message}` : message;
      }
      list.append(item);
    }
    return list;
  }

  // What the service relies on: a badge on each element and a list saying why.
  function showLoadBearing() {
    const declared = JSON.parse(root.dataset.loadBearing || "[]");
    if (!declared.length || !loadBearingRegion) return;
    const list = document.createElement("ul");
    list.className = "govuk-list govuk-list--bullet";
    for (const { element_id: id, why } of declared) {
      const element = registry.get(id);
      const item = document.createElement("li");
      const name = element?.businessObject?.name;
      item.textContent = `${name ? `${name} (${id})` : id}: ${why}`;
      if (element) {
        const badge = document.createElement("span");
        badge.className = "load-bearing-badge";
        badge.title = `Keep its id ${id}: ${why}`;
        badge.textContent = "Kept";
        overlays.add(element, "load-bearing", { position: { bottom: 8, left: -8 }, html: badge });
      } else {
        item.textContent += " (not in this diagram: saving will say so)";
      }
      list.append(item);
    }
    loadBearingRegion.append(list);
  }

  function savedStatus(what, problems) {
    const errors = problems.filter((p) => !isWarning(p)).length;
    const warnings = problems.length - errors;
    if (errors) return `${what}: ${plural(errors, "problem")} to fix before you can publish`;
    if (warnings) return `${what}: no problems, ${plural(warnings, "warning")} to check before you publish`;
    return `${what}: no problems`;
  }

  // A 4xx body {"error": {"message", "details": [...]}} (or {"problems": [...]}) as a list.
  function errorProblems(body, fallback) {
    const error = body?.error ?? {};
    const details = Array.isArray(error.details) ? error.details : body?.problems;
    if (Array.isArray(details) && details.length) return details;
    return [{ message: error.message || fallback }];
  }

  // When the session has ended, the work is not lost: the diagram can be saved as a file.
  function offerDownload(xml) {
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.download = "draft.bpmn";
    link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
    link.textContent = "Download the diagram (draft.bpmn)";
    problemsRegion?.replaceChildren(link);
  }

  async function saveDraft() {
    busy = true;
    changesSinceSaveStarted = 0;
    refreshButtons();
    setStatus("Saving the draft…");
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const response = await fetch(saveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/xml",
          Accept: "application/json",
          "X-CSRFToken": csrf,
        },
        body: xml,
      });
      const body = await readJson(response);
      if (response.ok && body) {
        unsaved = changesSinceSaveStarted > 0;
        hasDraft = true;
        draftHash = body.draft_hash || "";
        const problems = Array.isArray(body.problems) ? body.problems : [];
        showProblems(problems);
        setStatus(savedStatus("Draft saved", problems));
      } else if (response.status === 422 && body) {
        showProblems(errorProblems(body, "The diagram could not be read"));
        setStatus(`The draft was not saved: ${body.error?.message || "the diagram could not be read"}`);
      } else if (response.status === 401) {
        setStatus("The draft was not saved: you were signed out. Download the diagram below, sign in again in another tab, then open the modeler and import it.");
        offerDownload(xml);
      } else {
        setStatus(`The draft was not saved (error ${response.status}). Try again.`);
      }
    } catch (error) {
      console.error(error);
      setStatus("The draft was not saved: the service could not be reached. Try again.");
    } finally {
      busy = false;
      if (unsaved) setStatus(`${statusLine?.textContent ?? ""} Unsaved changes.`.trim());
      refreshButtons();
    }
  }

  async function publish() {
    busy = true;
    refreshButtons();
    setStatus("Publishing…");
    try {
      const response = await fetch(publishUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ draft_hash: draftHash }),
      });
      const body = await readJson(response);
      if (response.ok && body) {
        setStatus(`Published as version ${body.version}`);
        const target = String(body.redirect ?? "");
        if (target.startsWith("/") && !target.startsWith("//")) {
          window.location.assign(target);
        }
        return;
      }
      if ((response.status === 409 || response.status === 422) && body) {
        showProblems(errorProblems(body, "Publish was refused"));
        setStatus(`Publish refused: ${body.error?.message || "fix the problems listed"}`);
      } else {
        setStatus(`Publish failed (error ${response.status}). Try again.`);
      }
    } catch (error) {
      console.error(error);
      setStatus("Publish failed: the service could not be reached. Try again.");
    } finally {
      busy = false;
      refreshButtons();
    }
  }

  async function load() {
    const response = await fetch(xmlUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/xml, text/xml" },
    });
    if (!response.ok) throw new Error(`${response.status} fetching ${xmlUrl}`);
    const { warnings } = await modeler.importXML(await response.text());
    if (warnings.length) console.warn("BPMN import warnings", warnings);
    canvas.zoom("fit-viewport", "auto");

    modeler.on("commandStack.changed", (event) => {
      if (event.trigger === "clear") return;
      unsaved = true;
      changesSinceSaveStarted += 1;
      if (!busy) setStatus("Unsaved changes");
      refreshButtons();
    });
    saveButton?.addEventListener("click", (event) => {
      event.preventDefault();
      if (!busy) saveDraft();
    });
    publishButton?.addEventListener("click", (event) => {
      event.preventDefault();
      if (!busy && !publishButton.disabled) publish();
    });
    // A stored draft's problems show at once, so nobody publishes blind.
    showLoadBearing();
    const stored = JSON.parse(root.dataset.draftProblems || "[]");
    if (stored.length) {
      showProblems(stored);
      setStatus(savedStatus("The saved draft has been checked", stored));
    } else {
      root.dataset.problems = "0";
      if (!hasDraft) setStatus("No draft yet: change the process, then save a draft.");
    }
    window.addEventListener("beforeunload", (event) => {
      if (unsaved) event.preventDefault(); // the browser asks before unsaved changes are lost
    });
    refreshButtons();
    root.dataset.modelerState = "ready"; // lets tests wait for the drawing
  }

  load().catch((error) => {
    console.error(error);
    root.dataset.modelerState = "error";
    setButton(saveButton, false);
    setButton(publishButton, false);
    setStatus("The diagram could not be loaded.");
  });
}

function startAll() {
  const root = byId("modeler");
  if (root) start(root);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", startAll);
} else {
  startAll();
}
