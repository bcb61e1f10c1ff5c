// The words the pages use for the API's enumerations and dates.

export const STATUS = {
  referral: "Referral",
  assessment: "Assessment",
  active: "Active",
  stepped_up: "Stepped up",
  stepped_down: "Stepped down",
  closed: "Closed",
};

export const LEVEL_OF_NEED = {
  universal: "Universal",
  targeted: "Targeted",
  specialist: "Specialist",
  statutory: "Statutory",
};

export const LEVEL_OF_NEED_HINT = {
  universal: "Needs met by services available to every family",
  targeted: "Extra help from one or two agencies",
  specialist: "Several agencies working together on a plan",
  statutory: "Children's social care lead, under a legal duty",
};

export const TEAM_ROLE = {
  lead_professional: "Lead professional",
  contributor: "Contributor",
};

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** "2014-05-01" or an ISO date-time -> "1 May 2014" (the calendar date as written, not shifted). */
export function formatDate(value) {
  if (!value) return "";
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

export const STATUS_TAG = {
  referral: "govuk-tag--blue",
  assessment: "govuk-tag--purple",
  active: "govuk-tag--green",
  stepped_up: "govuk-tag--red",
  stepped_down: "govuk-tag--turquoise",
  closed: "govuk-tag--grey",
};

export const CATEGORY = {
  health: "Health",
  mental_health: "Mental health",
  education: "Education",
  police: "Police",
  youth_justice: "Youth justice",
  housing: "Housing",
  social_care: "Social care",
  substance_misuse: "Substance misuse",
  domestic_abuse: "Domestic abuse",
  family_history: "Family history",
  finance: "Money and benefits",
  other: "Other",
};

export const KIND = {
  assessment_note: "Assessment note",
  update: "Update",
  concern: "Concern",
  strength: "Strength",
  risk_factor: "Risk factor",
  protective_factor: "Protective factor",
  service_offered: "Service offered",
};

// How an audited request ended (the audit log's outcome).
export const AUDIT_OUTCOME = {
  allowed: "Allowed",
  denied: "Refused",
  failed: "Failed",
};

export const CAPACITY = {
  self: "For themselves",
  parental_responsibility: "As a parent or carer, for a child",
};

// The lawful bases for sharing without consent, in plain words (the legal references as a hint).
export const LAWFUL_BASIS = {
  public_task_safeguarding: "Our public task of safeguarding children",
  legal_obligation: "A law requires us to share",
  vital_interests: "To protect someone's life",
  recognised_legitimate_interest: "A recognised legitimate interest: safeguarding",
  legitimate_interests: "Our legitimate interests",
};

export const LAWFUL_BASIS_HINT = {
  public_task_safeguarding: "For public bodies such as councils, schools, the NHS and the police. UK GDPR Article 6(1)(e), with the Data Protection Act 2018 Schedule 1 paragraph 18 (safeguarding of children).",
  legal_obligation: "For example a statutory duty to share with the police or children's social care. UK GDPR Article 6(1)(c).",
  vital_interests: "Only in an emergency, when someone could die or be seriously hurt and there is no time to ask. UK GDPR Article 6(1)(d).",
  recognised_legitimate_interest: "Safeguarding is recognised in law as a reason to share, without weighing it against the family's interests. UK GDPR Article 6(1)(ea).",
  legitimate_interests: "For voluntary and private organisations, when the need to protect the child outweighs the family's interests. UK GDPR Article 6(1)(f).",
};

/** "2025-11-03T14:05:00+00:00" -> "3 November 2025 at 14:05" (UK time). */
export function formatDateTime(value) {
  if (!value) return "";
  const date = new Date(value);
  const time = date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });
  const day = date.toLocaleDateString("en-CA", { timeZone: "Europe/London" });
  return `${formatDate(day)} at ${time}`;
}

/**
 * A label map as the items of a select, radios or checkboxes: [{value, text, hint}], in the map's order.
 * `first`, if given, is an empty choice put before them ("Choose a category"); `hints` maps values to hints.
 */
export function choices(labels, { first = null, hints = {} } = {}) {
  const items = Object.entries(labels).map(([value, text]) => ({ value, text, hint: hints[value] }));
  return first === null ? items : [{ value: "", text: first }, ...items];
}

export const categoryList = (categories) => categories.map((category) => CATEGORY[category] || category).join(", ");
