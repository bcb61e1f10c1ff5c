// "How things are going" on the family portal: outcome scores over reviews as simple SVG bar charts
// (one per area of life, a bar per review, its score written at its end), with the same numbers as a list.
// No chart library; SVG attributes only (the Content-Security-Policy allows no inline styles).
//
// Drawn for a phone first: each review's date sits above its bar (not beside it), so the chart is only
// WIDTH units wide and shown no wider than about 1.3 times that (taf.css): its 16-unit text is never
// smaller than 14 px on a 375 px screen, nor huge on a wide one.

import { details, h, summaryList } from "./dom.js";
import { formatDate } from "./labels.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320; // the chart's own units; see taf.css for how wide it is shown

// Areas of life in plain words.
export const AREA = {
  behaviour: "Behaviour",
  school_attendance_attainment: "Going to school and learning",
  family_peer_relationships: "Getting on with family and friends",
  confidence_self_esteem: "Feeling confident",
  aspirations_employability: "Hopes for the future and work",
  living_conditions: "Our home",
  mental_physical_health: "Health and feelings",
  safety: "Feeling safe",
};

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/** Reviews are [{reviewedOn, scores: [{domain, score}]}], oldest first. */
export function scoresChart(reviews) {
  const domains = [...new Set(reviews.flatMap((review) => review.scores.map((score) => score.domain)))];
  return h(
    "div",
    { id: "scores-chart" },
    h("p", { class: "govuk-body" }, "At each review, you and the team give a score from 1 to 10 for each part of the plan. 1 means things are very hard. 10 means things are going really well. Longer bars are better."),
    domains.map((domain) => domainChart(domain, reviews)),
    details(
      "Show the scores as a list",
      reviews.map((review) => {
        const titleId = `scores-${review.reviewedOn}`;
        return h(
          "div",
          { class: "taf-portal-review" },
          h("h4", { class: "govuk-heading-s", id: titleId }, `Review on ${formatDate(review.reviewedOn)}`),
          summaryList(
            domains.map((domain) => {
              const found = review.scores.find((score) => score.domain === domain);
              return [AREA[domain] || domain, found ? `${found.score} out of 10` : "No score"];
            }),
            { "aria-labelledby": titleId },
          ),
        );
      }),
      { id: "scores-list" },
    ),
  );
}

function domainChart(domain, reviews) {
  const points = reviews
    .map((review) => ({ on: review.reviewedOn, score: review.scores.find((score) => score.domain === domain)?.score }))
    .filter((point) => point.score !== undefined);
  const name = AREA[domain] || domain;
  const first = points[0];
  const last = points[points.length - 1];
  const trend =
    points.length < 2 ? `One score so far: ${first.score} out of 10.` : last.score > first.score ? `Going up: from ${first.score} to ${last.score} out of 10.` : last.score < first.score ? `Going down: from ${first.score} to ${last.score} out of 10.` : `The same: ${last.score} out of 10.`;
  const labelHeight = 20;
  const barHeight = 22;
  const rowHeight = labelHeight + barHeight + 10;
  const barSpace = WIDTH - 40; // room for the score after a full bar
  const height = points.length * rowHeight + 24;
  const id = `chart-${domain}`;
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${height}`, width: "100%", role: "img", "aria-labelledby": `${id}-title ${id}-trend`, class: "taf-chart taf-chart--portal", focusable: "false" },
    svg("title", {}, `${name}: scores at each review`),
    // the scale: 0, 5 and 10
    ...[0, 5, 10].map((tick) => svg("line", { x1: 1 + (tick / 10) * barSpace, x2: 1 + (tick / 10) * barSpace, y1: labelHeight, y2: height - 20, class: "taf-chart__grid" })),
    ...[0, 5, 10].map((tick) => svg("text", { x: 1 + (tick / 10) * barSpace, y: height - 4, "text-anchor": tick === 0 ? "start" : "middle", class: "taf-chart__tick" }, String(tick))),
    ...points.flatMap((point, index) => {
      const top = index * rowHeight;
      const width = (point.score / 10) * barSpace;
      return [
        svg("text", { x: 0, y: top + 15, class: "taf-chart__label" }, formatDate(point.on)),
        svg("rect", { x: 1, y: top + labelHeight, width, height: barHeight, class: "taf-chart__bar" }),
        svg("text", { x: width + 8, y: top + labelHeight + 17, class: "taf-chart__value" }, String(point.score)),
      ];
    }),
  );
  return h(
    "figure",
    { class: "taf-chart-figure", "data-domain": domain },
    h("h3", { class: "govuk-heading-s", id: `${id}-title` }, name),
    h("p", { class: "govuk-body", id: `${id}-trend` }, trend),
    chart,
  );
}
