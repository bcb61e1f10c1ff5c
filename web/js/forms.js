// Sending a form's change to the API, and showing what went wrong in the GOV.UK way.

import { h, showErrors } from "./dom.js";
import { describe } from "./errors.js";

/**
 * Run `send()` for `form`: the submit button is disabled meanwhile; on failure the error summary
 * shows the error in words (with `labels` to point at fields and `wording(error)` for context-specific
 * words); on success `done(result)` runs. An ended sign-in goes back to the sign-in page.
 */
export async function submit(form, view, { send, done, labels = {}, wording = () => ({}), extra = () => null }) {
  const submitButton = form.querySelector('button[type="submit"]');
  if (submitButton) submitButton.disabled = true;
  try {
    const result = await send();
    await done(result);
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") return view.sessionEnded();
    if (!error.code) throw error;
    showErrors(form, [describe(error, { labels, overrides: wording(error) })], extra(error));
  } finally {
    if (submitButton) submitButton.disabled = false;
  }
}

/** Show client-side problems; true when there were any. */
export function refuse(form, problems) {
  if (!problems.length) return false;
  showErrors(form, problems);
  return true;
}

export const value = (form, name) => (form.elements[name]?.value ?? "").trim();

export const checkedValue = (form, name) => form.querySelector(`input[name="${name}"]:checked`)?.value ?? "";

export function warning(text) {
  return h(
    "div",
    { class: "govuk-warning-text" },
    h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true" }, "!"),
    h("strong", { class: "govuk-warning-text__text" }, h("span", { class: "govuk-visually-hidden" }, "Warning"), text),
  );
}
