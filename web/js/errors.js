// Every API error in words a user understands. Codes and technical messages never reach the page.
// Only CONFLICT and BAD_USER_INPUT messages come from the server as written, because the services
// write them for people ("Dan Okafor is already on this family's team."); field names in them are
// replaced by the labels the user sees.

export const STALE =
  "Someone else changed this family since you opened it. Reload to see their change.";

const MESSAGES = {
  UNAUTHENTICATED: "Your sign-in has ended. Sign in again to carry on.",
  FORBIDDEN: "You cannot make this change. Only the family's lead professional (or their manager) can.",
  NOT_FOUND: "We could not find that. It may not exist, or you may not be on the family's team.",
  BAD_USER_INPUT: "Some of what you entered could not be accepted. Check it and try again.",
  CONFLICT: "This could not be saved because the record has changed. Reload the page and try again.",
  RATE_LIMITED:
    "There have been too many attempts to sign in to this account. Wait 15 minutes, then try again.",
  PAYLOAD_TOO_LARGE: "What you entered is too long to send. Shorten it and try again.",
  NETWORK: "We could not reach the service. Check your connection and try again.",
  INTERNAL: "Something went wrong on our side. Nothing was changed. Try again in a moment.",
};

const SIGN_IN = {
  UNAUTHENTICATED: "The email address or password is not right. Check them and try again.",
  // The right password of someone whose agency signs in only with its own organisation account.
  FORBIDDEN: "Your agency signs in with its own organisation account, not a password. Use the button to sign in with your organisation.",
};

/**
 * The words for an error, and the form field it belongs to (if any).
 * `labels` maps API field names (extensions.field) to {id, label} of the form's fields;
 * `overrides` maps a code to the words to use in this context.
 */
export function describe(error, { labels = {}, overrides = {} } = {}) {
  const code = error && error.code in MESSAGES ? error.code : "INTERNAL";
  const target = error.field ? labels[error.field] : undefined;
  if (overrides[code]) return { message: overrides[code], fieldId: target?.id ?? null };
  if ((code === "BAD_USER_INPUT" || code === "CONFLICT") && error.message && !looksTechnical(error.message)) {
    return { message: humanise(error.message, labels), fieldId: target?.id ?? null };
  }
  return { message: MESSAGES[code], fieldId: target?.id ?? null };
}

export function signInMessage(error) {
  return describe(error, { overrides: SIGN_IN }).message;
}

// Validation messages from GraphQL itself ("Variable '$input' got invalid value ...") are not for people.
function looksTechnical(message) {
  return /\$|Variable|Expected type|Syntax Error|Cannot query field/.test(message);
}

function humanise(message, labels) {
  let text = message;
  for (const [field, { label }] of Object.entries(labels)) {
    text = text.replace(new RegExp(`\\b${field}\\b`, "g"), label);
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const STALE_ITEM = "Someone else changed this item since you opened it. Reload the items to see their change, then make yours again.";
