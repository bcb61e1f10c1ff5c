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
