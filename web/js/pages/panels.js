// Multi-agency panels: the list of sittings (gateway and resource panels), and for managers a form to
// arrange one. A sitting names no family; the families considered are on its own page.

import { call } from "../api.js";
import { button, checkboxes, checkedValues, dateInput, h, radios, readDate, scrolling, table, textArea, textField } from "../dom.js";
import { checkedValue, refuse, submit, value } from "../forms.js";
import { choices, formatDate } from "../labels.js";
import { PANEL_KIND, PANEL_KIND_HINT } from "../panel-labels.js";

export const openTo = { roles: ["practitioner", "manager"], refusal: "Panels are for practitioners and managers who work with families." };

export async function render(main, context) {
  const me = context.session.me;
  const [{ panelSittings: sittings }, agencies] = await Promise.all([call("PanelSittings"), me.role === "manager" ? call("Agencies").then((answer) => answer.agencies) : []]);
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Panels"),
    h("p", { class: "govuk-body" }, "Gateway and resource panels decide access to services, step-up and step-down. Open a sitting to see the families it considered and record its decisions."),
    sittings.length
      ? scrolling(
          "Panel sittings",
          table({
            caption: "Panel sittings, newest first",
            id: "panel-sittings",
            head: ["Sitting", "Date", "Panel", "Chair"],
            rows: sittings.map((s) => [h("a", { class: "govuk-link", href: `#/panels/${encodeURIComponent(s.id)}` }, s.name), formatDate(s.sitsOn), PANEL_KIND[s.kind], s.chair.displayName]),
          }),
        )
      : h("p", { class: "govuk-body", id: "panel-sittings-none" }, "No panel sitting has been arranged."),
    me.role === "manager" ? arrangeForm(me, agencies, context) : null,
  );
  return "Panels";
}

function arrangeForm(me, agencies, context) {
  const form = h(
    "form",
    { id: "panel-arrange", novalidate: true },
    h("h2", { class: "govuk-heading-m" }, "Arrange a sitting"),
    h("p", { class: "govuk-body" }, "You will chair it."),
    textField({ id: "panel-name", label: "Name", hint: "For example, North gateway panel" }),
    radios({ id: "panel-kind", name: "panel-kind", legend: "Kind of panel", items: choices(PANEL_KIND, { hints: PANEL_KIND_HINT }) }),
    dateInput({ id: "panel-on", legend: "Date of the sitting", hint: "For example, 3 11 2026" }),
    checkboxes({ id: "panel-agencies", name: "panel-agencies", legend: "Agencies attending", items: agencies.map((a) => ({ value: a.id, text: a.name })) }),
    textArea({ id: "panel-members", label: "Members attending (optional)", hint: "Names and roles, for example Sam Patel (early help manager, chair)" }),
    button("Arrange the sitting"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    if (!value(form, "panel-name")) problems.push({ message: "Enter the name of the panel", fieldId: "panel-name" });
    const kind = checkedValue(form, "panel-kind");
    if (!kind) problems.push({ message: "Choose the kind of panel", fieldId: "panel-kind-input" });
    const sitsOn = readDate(form, "panel-on");
    if (!sitsOn) problems.push({ message: sitsOn === "" ? "Enter the date of the sitting" : "The date of the sitting must be a real date, like 3 11 2026", fieldId: "panel-on-day" });
    if (refuse(form, problems)) return;
    const sitting = { name: value(form, "panel-name"), kind, sitsOn, chairUserId: me.id, members: value(form, "panel-members"), agencyIds: checkedValues(form, "panel-agencies") };
    submit(form, context, {
      send: () => call("PanelSittingCreate", { input: { sitting, idempotencyKey: crypto.randomUUID() } }),
      done: ({ panelSittingCreate }) => context.navigate(`/panels/${encodeURIComponent(panelSittingCreate.id)}`, { message: "Sitting arranged." }),
      labels: { name: { id: "panel-name", label: "Name" }, members: { id: "panel-members", label: "Members attending" }, agencyIds: { id: "panel-agencies-input", label: "Agencies attending" } },
    });
  });
  return form;
}
