// A timer in a manager's words and back (docs/frontend.md, "Timers in words"): the simple forms
// the modeler's panel offers, the expression each writes for the engine, and the reading of an
// existing expression back into its form.  Pure: no DOM, no bpmn-js.
//
//   working   N working days after D    add_working_days(D, N)
//   calendar  N calendar days     add_calendar_days(D, N), or next_working_day(...) of it
//             after D
//   setting   the days in setting K     add_working_days(D, setting("K")) for a working-days
//             after D                   setting, add_calendar_days(...) for a calendar-days one
//   advanced  anything else, written as an expression
//
// D is a date the case keeps (a variable name) or today() (the day the case reaches the timer).

export const MAX_COUNT = { working: 3660, calendar: 36600 }; // app/calendar.py's bounds
export const TODAY = "today()"; // not a variable name, so no date the case keeps can clash
const FUNCTION = { working: "add_working_days", calendar: "add_calendar_days" };
const UNIT_FORM = { working_days: "working", calendar_days: "calendar" };
const NAME = "[a-z][a-z0-9_]*";
const SHAPE = new RegExp(
  String.raw`^\s*(next_working_day\s*\(\s*)?(add_working_days|add_calendar_days)\s*\(\s*` +
    String.raw`(today\s*\(\s*\)|${NAME})\s*,\s*` +
    String.raw`(?:(0|[1-9][0-9]*)|setting\s*\(\s*(?:"(${NAME})"|'(${NAME})')\s*\))` +
    String.raw`\s*\)\s*(\))?\s*$`,
);

// {form, date, count?, setting?, nextWorkingDay} for an expression in a simple form, else null.
// `settings` ([{key, unit}]) decides whether a setting's unit suits the function that counts it.
export function parseTimer(expression, settings = []) {
  const match = SHAPE.exec(String(expression ?? ""));
  if (!match) return null;
  const [, wrapped, fn, rawDate, count, doubleQuoted, singleQuoted, closing] = match;
  if (Boolean(wrapped) !== Boolean(closing)) return null; // brackets that do not pair
  const form = fn === FUNCTION.working ? "working" : "calendar";
  if (wrapped && form === "working") return null; // already a working day: not a form we write
  const date = rawDate.replace(/\s+/g, ""); // a name, or "today()"
  const nextWorkingDay = Boolean(wrapped);
  if (count !== undefined) {
    if (Number(count) > MAX_COUNT[form]) return null;
    return { form, date, count: String(Number(count)), nextWorkingDay };
  }
  const key = doubleQuoted ?? singleQuoted;
  const setting = settings.find((s) => s.key === key);
  if (!setting || UNIT_FORM[setting.unit] !== form) return null;
  return { form: "setting", date, setting: key, nextWorkingDay };
}

// The problems of a form's answers, {field: message}; empty when it can be written.
export function timerProblems(choice, settings = []) {
  const problems = {};
  if (choice.form === "working" || choice.form === "calendar") {
    const count = String(choice.count ?? "").trim();
    const unit = choice.form === "working" ? "working days" : "calendar days";
    if (!count) problems.count = `Enter the number of ${unit}`;
    else if (/^-\s*\d+(\.\d+)?$/.test(count)) problems.count = "The number of days must be 0 or more";
    else if (!/^\d+$/.test(count)) problems.count = "Write the number of days as a whole number";
    else if (Number(count) > MAX_COUNT[choice.form]) {
      problems.count = `The number of ${unit} must be ${MAX_COUNT[choice.form].toLocaleString("en-GB")} or fewer`;
    }
  } else if (choice.form === "setting" && !settings.some((s) => s.key === choice.setting)) {
    problems.setting = "Select the setting that holds the number of days";
  }
  if (choice.form !== "advanced" && !choice.date) problems.date = "Select the date to count from";
  return problems;
}

// The expression a complete, valid choice stands for.
export function composeTimer(choice, settings = []) {
  const date = choice.date;
  let form = choice.form;
  let amount = String(Number(String(choice.count).trim()));
  if (form === "setting") {
    const setting = settings.find((s) => s.key === choice.setting);
    form = UNIT_FORM[setting.unit];
    amount = `setting("${setting.key}")`;
  }
  const counted = `${FUNCTION[form]}(${date}, ${amount})`;
  return form === "calendar" && choice.nextWorkingDay ? `next_working_day(${counted})` : counted;
}

const UNIT_WORDS = { working_days: "working days", calendar_days: "calendar days" };

export function settingWords(setting) {
  const words = String(setting.words || setting.key).replace(/\.\s*$/, "");
  return `${words} (now ${setting.value} ${UNIT_WORDS[setting.unit] ?? ""})`.replace(" )", ")");
}

// The sentence a choice reads as: "10 working days after the date the pack was sent".
export function describeTimer(choice, dates, settings = []) {
  const date = dates.find((d) => d.name === choice.date);
  const after = date ? date.words : `the date kept as ${choice.date}`;
  const moved = choice.nextWorkingDay ? ", or the next working day after it" : "";
  if (choice.form === "setting") {
    const setting = settings.find((s) => s.key === choice.setting);
    const words = String(setting.words || setting.key).replace(/\.\s*$/, "");
    return `${setting.value} ${UNIT_WORDS[setting.unit]}, from the setting “${words}”, after ${after}${moved}`;
  }
  const n = Number(choice.count);
  const unit = choice.form === "working" ? "working day" : "calendar day";
  return `${n} ${unit}${n === 1 ? "" : "s"} after ${after}${moved}`;
}

// The dates a timer may count from: the process's declared ones (their words from the contract),
// then the ones the diagram itself records (letters' dates, date fields), then "today".
// `recorded` is [{name, words}] read from the diagram; `current` is the date in use, if any.
export function dateChoices(declared, recorded, current) {
  const seen = new Set();
  const choices = [];
  for (const date of [...declared, ...recorded]) {
    if (!date.name || seen.has(date.name)) continue;
    seen.add(date.name);
    choices.push(date);
  }
  choices.push({ name: TODAY, words: "the day the case reaches this timer" });
  seen.add(TODAY);
  if (current && !seen.has(current)) choices.push({ name: current, words: `the date kept as ${current}` });
  return choices;
}
