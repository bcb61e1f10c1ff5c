// Words for multi-agency panels, shared by the panels pages and the family's panels section.

import { formatDate } from "./labels.js";

export const PANEL_KIND = { gateway: "Gateway panel", resource: "Resource panel" };
export const PANEL_KIND_HINT = {
  gateway: "Decides access to services, and step-up or step-down",
  resource: "Allocates the area's services",
};
export const PANEL_OUTCOME = {
  accept_for_service: "Accepted for a service",
  step_up: "Step up to statutory services",
  step_down: "Step down",
  no_change: "No change",
  defer: "Deferred",
};
const UNIT = { session: "sessions", hour: "hours", day: "days", night: "nights", week: "weeks", conference: "conferences" };

export function allocationsText(allocations) {
  if (!allocations.length) return "None";
  return allocations.map((a) => `${a.serviceName}: ${a.quantity} ${UNIT[a.unit] || a.unit}`).join("; ");
}

export function decisionRows(decision, withheld) {
  if (!decision.decided) return [["Decision", "Not yet decided"]];
  return [
    ["Decision", PANEL_OUTCOME[decision.outcome]],
    ["Why", decision.rationaleVisible ? decision.rationale : withheld],
    ["Services allocated", allocationsText(decision.allocations)],
    ["Review by", formatDate(decision.reviewOn)],
    ["Recorded by", decision.decidedBy.displayName],
  ];
}
