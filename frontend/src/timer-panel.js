// "When it is due", a group in the modeler's properties panel for a timer event: GOV.UK
// radios and fields that write the timer's expression for the manager (timer-words.js), with
// the process's dates and the day settings offered in words.  The panel's own Timer group stays
// below it for the timer's type and raw value.  Rendered with the panel's own Preact.
import { h } from "@bpmn-io/properties-panel/preact";
import { useEffect, useState } from "@bpmn-io/properties-panel/preact/hooks";
import { useService } from "bpmn-js-properties-panel";
import {
  composeTimer,
  dateChoices,
  describeTimer,
  parseTimer,
  settingWords,
  timerProblems,
} from "./timer-words";

const ID = "timer-words";
const FORMS = [
  ["working", "Working days after a date",
    "For example, 10 working days after the date the pack was sent"],
  ["calendar", "Calendar days after a date", "Weekends and bank holidays count"],
  ["setting", "The number of days in a setting, after a date",
    "Change the setting later and new timers follow it"],
  ["advanced", "Advanced: write an expression", "For anything else, such as a number of months"],
];
const VARIABLE = /^[a-z][a-z0-9_]*$/;

function timerOf(element) {
  const definitions = element?.businessObject?.eventDefinitions || [];
  return definitions.find((d) => d.$type === "bpmn:TimerEventDefinition");
}

function typeOf(timer) {
  return ["timeDate", "timeDuration", "timeCycle"].find((kind) => timer.get(kind) !== undefined);
}

// The dates the diagram itself records: each letter's date (date_var) and each date field.
function recordedDates(registry) {
  const found = [];
  for (const element of registry.getAll()) {
    const bo = element.businessObject;
    if (!bo || element.labelTarget) continue;
    const step = bo.name || element.id;
    for (const extension of bo.extensionElements?.values || []) {
      for (const parameter of extension.inputParameters || []) { // camunda:InputOutput
        if (parameter.name === "date_var" && VARIABLE.test(parameter.value || "")) {
          found.push({ name: parameter.value, words: `the date the letter from ‘${step}’ was sent` });
        }
      }
      for (const field of extension.fields || []) { // camunda:FormData
        if (field.type === "date" && VARIABLE.test(field.id || "")) {
          const label = field.label || field.id;
          found.push({ name: field.id, words: `the date entered as ‘${label}’ in ‘${step}’` });
        }
      }
    }
  }
  return found;
}

function errorMessage(id, message) {
  return h("p", { class: "govuk-error-message", id: `${id}-error` },
    h("span", { class: "govuk-visually-hidden" }, "Error: "), message);
}

function formGroup(error, ...children) {
  const modifier = error ? " govuk-form-group--error" : "";
  return h("div", { class: `govuk-form-group${modifier}` }, ...children);
}

function described(id, hint, error) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return ids || undefined;
}

function howToCount(form, change) {
  const radio = ([value, label, hint]) =>
    h("div", { class: "govuk-radios__item", key: value },
      h("input", {
        class: "govuk-radios__input", id: `${ID}-form-${value}`, name: `${ID}-form`, type: "radio",
        value, checked: form === value, "aria-describedby": `${ID}-form-${value}-hint`,
        onChange: () => change({ form: value }),
      }),
      h("label", { class: "govuk-label govuk-radios__label", for: `${ID}-form-${value}` }, label),
      h("div", { class: "govuk-hint govuk-radios__hint", id: `${ID}-form-${value}-hint` }, hint));
  return formGroup(false,
    h("fieldset", { class: "govuk-fieldset", "aria-describedby": `${ID}-form-hint` },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" },
        "When is the timer due?"),
      h("div", { class: "govuk-hint", id: `${ID}-form-hint` },
        "Choose how to count, then the date to count from."),
      h("div", { class: "govuk-radios govuk-radios--small" }, FORMS.map(radio))));
}

function numberOfDays(draft, error, change) {
  const unit = draft.form === "working" ? "working days" : "calendar days";
  return formGroup(error,
    h("label", { class: "govuk-label", for: `${ID}-count` }, `Number of ${unit}`),
    error && errorMessage(`${ID}-count`, error),
    h("input", {
      class: `govuk-input govuk-input--width-4${error ? " govuk-input--error" : ""}`,
      id: `${ID}-count`, name: `${ID}-count`, type: "text", inputmode: "numeric",
      spellcheck: false, autocomplete: "off", value: draft.count,
      "aria-describedby": described(`${ID}-count`, false, error),
      onChange: (event) => change({ count: event.target.value }, "count"),
    }));
}

// A labelled select of [{value, text}] with a first "Choose ..." option.
function choice({ field, label, hint, error, value, placeholder, options, change }) {
  const id = `${ID}-${field}`;
  return formGroup(error,
    h("label", { class: "govuk-label", for: id }, label),
    hint && h("div", { class: "govuk-hint", id: `${id}-hint` }, hint),
    error && errorMessage(id, error),
    h("select", {
      class: `govuk-select${error ? " govuk-select--error" : ""}`, id, name: id,
      "aria-describedby": described(id, Boolean(hint), error),
      onChange: (event) => change({ [field]: event.target.value }, field),
    },
    h("option", { value: "", selected: !value }, placeholder),
    options.map((o) => h("option", { value: o.value, key: o.value, selected: value === o.value }, o.text))));
}

function nextWorkingDay(checked, change) {
  return formGroup(false,
    h("div", { class: "govuk-checkboxes govuk-checkboxes--small" },
      h("div", { class: "govuk-checkboxes__item" },
        h("input", {
          class: "govuk-checkboxes__input", id: `${ID}-next`, name: `${ID}-next`, type: "checkbox",
          checked, onChange: (event) => change({ nextWorkingDay: event.target.checked }),
        }),
        h("label", { class: "govuk-label govuk-checkboxes__label", for: `${ID}-next` },
          "If that day is a weekend or bank holiday, wait for the next working day"))));
}

function expression(type, text, setText, write) {
  const hint = type && type !== "timeDate"
    ? "The timer's type is set in the Timer section below. Saving the draft checks the expression."
    : "For example add_months(review_on, 1). Saving the draft checks it.";
  return formGroup(false,
    h("label", { class: "govuk-label", for: `${ID}-expression` }, "Expression"),
    h("div", { class: "govuk-hint", id: `${ID}-expression-hint` }, hint),
    h("textarea", {
      class: "govuk-textarea", id: `${ID}-expression`, name: `${ID}-expression`, rows: 3,
      spellcheck: false, "aria-describedby": `${ID}-expression-hint`, value: text,
      onInput: (event) => setText(event.target.value),
      onChange: (event) => write(event.target.value.trim(), type || "timeDate"),
    }));
}

// Writes `expression` as the timer's `kind` (timeDate, ...), through the command stack.
function writer(element, timer, type, commandStack, bpmnFactory) {
  return (expression, kind) => {
    const existing = type === kind ? timer.get(kind) : undefined;
    if (existing) {
      if (existing.get("body") === expression) return;
      commandStack.execute("element.updateModdleProperties", {
        element, moddleElement: existing, properties: { body: expression },
      });
      return;
    }
    const formal = bpmnFactory.create("bpmn:FormalExpression", { body: expression });
    formal.$parent = timer;
    const cleared = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
    commandStack.execute("element.updateModdleProperties", {
      element, moddleElement: timer, properties: { ...cleared, [kind]: formal },
    });
  };
}

function TimerWords({ element, choices }) {
  const commandStack = useService("commandStack");
  const bpmnFactory = useService("bpmnFactory");
  const registry = useService("elementRegistry");
  const timer = timerOf(element);
  const type = typeOf(timer);
  const body = type ? timer.get(type)?.get("body") ?? "" : "";
  const settings = choices.settings;
  const saved = type === "timeDate" ? parseTimer(body, settings) : null;
  const blank = { form: type ? "advanced" : "", date: "", count: "", setting: "", nextWorkingDay: false };
  const fromDiagram = () => saved ?? blank;

  const [draft, setDraft] = useState(fromDiagram);
  const [touched, setTouched] = useState({});
  const [text, setText] = useState(body);
  useEffect(() => {
    setDraft(fromDiagram());
    setTouched({});
    setText(body);
  }, [element.id, type, body]);

  const write = writer(element, timer, type, commandStack, bpmnFactory);
  const dates = dateChoices(choices.dates, recordedDates(registry), draft.date || saved?.date);
  const problems = timerProblems(draft, settings);
  const shown = (field) => (touched[field] ? problems[field] : undefined);

  // A change to one answer: kept as typed, and written to the diagram once the form is whole.
  function change(patch, field) {
    const next = { ...draft, ...patch };
    setDraft(next);
    if (field) setTouched({ ...touched, [field]: true });
    if (!next.form || next.form === "advanced") return;
    if (Object.keys(timerProblems(next, settings)).length) return;
    write(composeTimer(next, settings), "timeDate");
  }

  const { form } = draft;
  const counted = form === "working" || form === "calendar";
  const children = [howToCount(form, change)];
  if (counted) children.push(numberOfDays(draft, shown("count"), change));
  if (form === "setting") {
    children.push(choice({
      field: "setting", label: "Setting", hint: "Managers change its number on the settings page.",
      error: shown("setting"), value: draft.setting, placeholder: "Choose a setting", change,
      options: settings.map((s) => ({ value: s.key, text: settingWords(s) })),
    }));
  }
  if (counted || form === "setting") {
    children.push(choice({
      field: "date", label: "Count from", error: shown("date"), value: draft.date,
      placeholder: "Choose a date", change,
      options: dates.map((d) => ({ value: d.name, text: d.words })),
    }));
    const unit = form === "setting" ? settings.find((s) => s.key === draft.setting)?.unit : form;
    if (unit === "calendar" || unit === "calendar_days") {
      children.push(nextWorkingDay(draft.nextWorkingDay, change));
    }
  }
  if (form === "advanced") children.push(expression(type, text, setText, write));
  if (saved) {
    // What the diagram holds now; while an answer is still to be put right, it has not changed.
    const pending = counted || form === "setting"
      ? Object.keys(problems).length > 0 || composeTimer(draft, settings) !== composeTimer(saved, settings)
      : form !== "";
    children.push(h("p", { class: "govuk-body", id: `${ID}-summary` },
      h("strong", null, pending ? "Not changed yet. The timer is still due: " : "Due: "),
      describeTimer(saved, dates, settings)));
  }
  const shape = saved?.form ?? (type ? "advanced" : "");
  return h("div", { class: "app-timer-words", "data-timer-form": shape }, children);
}

// Adds the group above the panel's own Timer group, for any event with a timer definition.
export default function timerWordsModule(choices) {
  class TimerWordsProvider {
    constructor(propertiesPanel) {
      propertiesPanel.registerProvider(100, this); // after the Camunda provider adds "Timer"
    }

    getGroups(element) {
      return (groups) => {
        if (!timerOf(element)) return groups;
        const group = {
          id: "timerWords",
          label: "When it is due", // not "timer": test_modeler.py finds "Timer" by its text
          shouldOpen: true,
          entries: [{ id: "timerWords", component: TimerWords, choices }],
        };
        const index = groups.findIndex((g) => g.id === "timer");
        groups.splice(index === -1 ? groups.length : index, 0, group);
        return groups;
      };
    }
  }
  TimerWordsProvider.$inject = ["propertiesPanel"];
  return { __init__: ["timerWordsProvider"], timerWordsProvider: ["type", TimerWordsProvider] };
}
