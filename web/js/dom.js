// Building pages from data safely: text always goes in as text, never as HTML. GOV.UK Design System
// patterns (form groups, error summary, notification banner) as small functions.

/** h("p", {class: "govuk-body"}, "text", child) -> an element. on<Event> attributes add listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const hidden = (text) => h("span", { class: "govuk-visually-hidden" }, text);

let fieldCounter = 0;
export const uniqueId = (prefix) => `${prefix}-${++fieldCounter}`;

function group(id, label, hint, control, { labelClass = "govuk-label" } = {}) {
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "govuk-form-group", "data-field": id },
    h("label", { class: labelClass, for: id }, label),
    hint ? h("div", { class: "govuk-hint", id: hintId }, hint) : null,
    control,
  );
}

export function textField({ id, name, label, hint, value = "", type = "text", autocomplete, width, spellcheck }) {
  const input = h("input", {
    class: `govuk-input${width ? ` govuk-input--width-${width}` : ""}`,
    id,
    name: name || id,
    type,
    value,
    autocomplete,
    spellcheck: spellcheck === undefined ? null : String(spellcheck),
  });
  return group(id, label, hint, input);
}

export function textArea({ id, name, label, hint, rows = 3 }) {
  return group(id, label, hint, h("textarea", { class: "govuk-textarea", id, name: name || id, rows }));
}

export function selectField({ id, name, label, hint, options, value = "" }) {
  const select = h(
    "select",
    { class: "govuk-select", id, name: name || id },
    options.map((option) =>
      option.group
        ? h("optgroup", { label: option.group }, option.options.map((o) => optionElement(o, value)))
        : optionElement(option, value),
    ),
  );
  return group(id, label, hint, select);
}

function optionElement({ value, text }, selected) {
  return h("option", { value, selected: value === selected }, text);
}

/** A GOV.UK form group holding a fieldset: a legend, an optional hint, then `content`. */
function fieldset({ id, legend, hint, legendClass = "govuk-fieldset__legend--s", dataField = id, role = null }, content) {
  const hintId = hint ? `${id}-hint` : null;
  return h(
    "div",
    { class: "govuk-form-group", "data-field": dataField },
    h(
      "fieldset",
      { class: "govuk-fieldset", role, "aria-describedby": hintId },
      h("legend", { class: `govuk-fieldset__legend ${legendClass}` }, legend),
      hint ? h("div", { class: "govuk-hint", id: hintId }, hint) : null,
      content,
    ),
  );
}

/** One radio or checkbox with its label and hint; `kind` is "radios" or "checkboxes". */
function choice(kind, { id, name, value, text, hint, checked }) {
  const hintId = hint ? `${id}-hint` : null;
  return h(
    "div",
    { class: `govuk-${kind}__item` },
    h("input", {
      class: `govuk-${kind}__input`,
      id,
      name,
      type: kind === "radios" ? "radio" : "checkbox",
      value,
      checked,
      "aria-describedby": hintId,
    }),
    h("label", { class: `govuk-label govuk-${kind}__label`, for: id }, text),
    hint ? h("div", { class: `govuk-hint govuk-${kind}__hint`, id: hintId }, hint) : null,
  );
}

/** A fieldset of radios or checkboxes; the first input's id is `${id}-input` (errors point there). */
function choices(kind, { id, name, items, isChecked, ...field }) {
  const box = kind === "radios" ? "govuk-radios" : "govuk-checkboxes govuk-checkboxes--small";
  return fieldset(
    { id, ...field },
    h(
      "div",
      { class: box, id },
      items.map((item, index) =>
        choice(kind, { ...item, id: index === 0 ? `${id}-input` : `${id}-${index}`, name: name || id, checked: isChecked(item.value) }),
      ),
    ),
  );
}

/** A fieldset of radios; `items` are {value, text, hint}. Read back with checkedValue(form, name). */
export const radios = ({ value = null, ...field }) => choices("radios", { ...field, isChecked: (item) => item === value });

/** A fieldset of checkboxes; `items` are {value, text, hint}. Read back with checkedValues(form, name). */
export const checkboxes = ({ checked = [], ...field }) => choices("checkboxes", { ...field, isChecked: (item) => checked.includes(item) });

/** One checkbox on its own (value "yes"); read back with form.elements[id].checked. */
export function checkbox({ id, name, label, hint, checked = false }) {
  return h(
    "div",
    { class: "govuk-form-group", "data-field": id },
    h("div", { class: "govuk-checkboxes govuk-checkboxes--small" }, choice("checkboxes", { id, name: name || id, value: "yes", text: label, hint, checked })),
  );
}

/** The GOV.UK date input: day, month and year boxes. Read it back with readDate(form, id). */
export function dateInput({ id, legend, hint }) {
  const part = (key, label, width) =>
    h(
      "div",
      { class: "govuk-date-input__item" },
      h(
        "div",
        { class: "govuk-form-group" },
        h("label", { class: "govuk-label govuk-date-input__label", for: `${id}-${key}` }, label),
        h("input", {
          class: `govuk-input govuk-date-input__input govuk-input--width-${width}`,
          id: `${id}-${key}`,
          name: `${id}-${key}`,
          type: "text",
          inputmode: "numeric",
        }),
      ),
    );
  const boxes = h("div", { class: "govuk-date-input", id }, part("day", "Day", 2), part("month", "Month", 2), part("year", "Year", 4));
  return fieldset({ id, legend, hint, dataField: `${id}-day`, role: "group" }, boxes);
}

/** "" when all three boxes are empty, "YYYY-MM-DD" for a real date, else null (not a date). */
export function readDate(form, id) {
  const value = (key) => form.querySelector(`#${id}-${key}`).value.trim();
  const [day, month, year] = [value("day"), value("month"), value("year")];
  if (!day && !month && !year) return "";
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return null;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return null;
  return date.toISOString().slice(0, 10);
}

export function button(text, attributes = {}) {
  return h("button", { type: "submit", class: "govuk-button", "data-module": "govuk-button", ...attributes }, text);
}

// --- errors and messages -----------------------------------------------------------------------

/** Remove the error summary and field errors that showErrors put on `form`. */
export function clearErrors(form) {
  form.querySelectorAll(".govuk-error-summary").forEach((node) => node.remove());
  form.querySelectorAll(".govuk-error-message").forEach((node) => node.remove());
  form.querySelectorAll(".govuk-form-group--error").forEach((node) => node.classList.remove("govuk-form-group--error"));
  form.querySelectorAll("[data-error-for]").forEach((control) => {
    control.classList.remove("govuk-input--error", "govuk-select--error", "govuk-textarea--error");
    const described = (control.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((token) => token && !token.endsWith("-error"))
      .join(" ");
    if (described) control.setAttribute("aria-describedby", described);
    else control.removeAttribute("aria-describedby");
    control.removeAttribute("data-error-for");
  });
  refreshTitle();
}

/**
 * Show a GOV.UK error summary at the top of `form` and each message by its field, then move focus to
 * the summary. `errors` are {message, fieldId}; fieldId null for a problem with the form as a whole.
 * `extra` (a node) is added to the summary, e.g. a reload link.
 */
export function showErrors(form, errors, extra = null) {
  clearErrors(form);
  const summary = h(
    "div",
    { class: "govuk-error-summary", tabindex: "-1", "data-module": "govuk-error-summary" },
    h(
      "div",
      { role: "alert" },
      h("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
      h(
        "div",
        { class: "govuk-error-summary__body" },
        h(
          "ul",
          { class: "govuk-list govuk-error-summary__list" },
          errors.map(({ message, fieldId }) =>
            h("li", {}, fieldId ? h("a", { href: `#${fieldId}` }, message) : message),
          ),
        ),
        extra,
      ),
    ),
  );
  form.prepend(summary);
  for (const { message, fieldId } of errors) {
    if (fieldId) markField(form, fieldId, message);
  }
  refreshTitle();
  summary.focus();
}

function markField(form, fieldId, message) {
  const control = form.querySelector(`#${CSS.escape(fieldId)}`);
  if (!control) return;
  const formGroup = control.closest("[data-field]") || control.closest(".govuk-form-group");
  formGroup.classList.add("govuk-form-group--error");
  const errorId = `${fieldId}-error`;
  if (!form.querySelector(`#${CSS.escape(errorId)}`)) {
    const errorMessage = h("p", { class: "govuk-error-message", id: errorId }, hidden("Error: "), message);
    const label = formGroup.querySelector("legend, label");
    const hint = formGroup.querySelector(":scope > .govuk-hint, :scope > fieldset > .govuk-hint");
    (hint || label).after(errorMessage);
  }
  const controls = control.matches("input, select, textarea") ? [control] : [...control.querySelectorAll("input, select, textarea")];
  for (const each of controls) {
    each.setAttribute("data-error-for", fieldId);
    if (each.matches(".govuk-input")) each.classList.add("govuk-input--error");
    if (each.matches("select")) each.classList.add("govuk-select--error");
    if (each.matches("textarea")) each.classList.add("govuk-textarea--error");
    const described = new Set((each.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    described.add(errorId);
    each.setAttribute("aria-describedby", [...described].join(" "));
  }
}

/** A GOV.UK success notification banner, focused so screen readers announce it. */
export function successBanner(text) {
  const banner = h(
    "div",
    {
      class: "govuk-notification-banner govuk-notification-banner--success",
      role: "alert",
      "aria-labelledby": "success-title",
      tabindex: "-1",
    },
    h(
      "div",
      { class: "govuk-notification-banner__header" },
      h("h2", { class: "govuk-notification-banner__title", id: "success-title" }, "Success"),
    ),
    h("div", { class: "govuk-notification-banner__content" }, h("p", { class: "govuk-notification-banner__heading" }, text)),
  );
  return banner;
}

// --- page titles -------------------------------------------------------------------------------

let baseTitle = "Team Around the Family";

export function setTitle(title) {
  baseTitle = `${title} – Team Around the Family`;
  refreshTitle();
}

/** GOV.UK: prefix the title with "Error: " while an error summary is on the page. */
function refreshTitle() {
  document.title = document.querySelector(".govuk-error-summary") ? `Error: ${baseTitle}` : baseTitle;
}

export const checkedValues = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);

/** A GOV.UK summary list from [key, value] rows (rows that are null are left out). */
export function summaryList(rows, attributes = {}) {
  return h(
    "dl",
    { class: "govuk-summary-list", ...attributes },
    rows
      .filter(Boolean)
      .map(([key, value]) =>
        h("div", { class: "govuk-summary-list__row" }, h("dt", { class: "govuk-summary-list__key" }, key), h("dd", { class: "govuk-summary-list__value" }, value)),
      ),
  );
}

/** A GOV.UK details element: a summary line that opens to show `content`. */
export function details(summaryText, content, attributes = {}) {
  return h(
    "details",
    { class: "govuk-details", ...attributes },
    h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, summaryText)),
    h("div", { class: "govuk-details__text" }, content),
  );
}

/** A GOV.UK table: `head` is a list of column titles, `rows` lists of cells (text or nodes). */
export function table({ caption, head, rows, id, captionHidden = true }) {
  return h(
    "table",
    { class: "govuk-table", id },
    h("caption", { class: `govuk-table__caption${captionHidden ? " govuk-visually-hidden" : " govuk-table__caption--m"}` }, caption),
    h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" }, head.map((text) => h("th", { scope: "col", class: "govuk-table__header" }, text)))),
    h(
      "tbody",
      { class: "govuk-table__body" },
      rows.map((cells) =>
        h(
          "tr",
          { class: "govuk-table__row" },
          cells.map((cell, index) => (index === 0 ? h("th", { scope: "row", class: "govuk-table__header" }, cell) : h("td", { class: "govuk-table__cell" }, cell))),
        ),
      ),
    ),
  );
}

/** A table that scrolls sideways in its own focusable region on narrow screens (WCAG 2.2 reflow). */
export function scrolling(label, content) {
  return h("div", { class: "taf-table-scroll", tabindex: "0", role: "region", "aria-label": label }, content);
}
