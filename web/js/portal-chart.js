// "How things are going" on the family portal: outcome scores over reviews as simple SVG bar charts
// (one per area of life, a bar per review, its score written on it), with the same numbers in a table.
// No chart library; SVG attributes only (the Content-Security-Policy allows no inline styles).

import { h, scrolling, table } from "./dom.js";
import { formatDate } from "./labels.js";

const SVG = "http://www.w3.org/2000/svg";

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
    scrolling(
      "Scores at each review (scrolls sideways)",
      table({
        id: "scores-table",
        caption: "Scores at each review, as a table",
        captionHidden: false,
        head: ["Review", ...domains.map((domain) => AREA[domain] || domain)],
        rows: reviews.map((review) => [
          formatDate(review.reviewedOn),
          ...domains.map((domain) => {
            const found = review.scores.find((score) => score.domain === domain);
            return found ? `${found.score} out of 10` : "No score";
          }),
        ]),
      }),
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
  const rowHeight = 36;
  const labelWidth = 170;
  const barSpace = 300;
  const height = points.length * rowHeight + 24;
  const id = `chart-${domain}`;
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${labelWidth + barSpace + 20} ${height}`, width: "100%", role: "img", "aria-labelledby": `${id}-title ${id}-trend`, class: "taf-chart", focusable: "false" },
    svg("title", {}, `${name}: scores at each review`),
    // the scale: 0, 5 and 10
    ...[0, 5, 10].map((tick) => svg("line", { x1: labelWidth + (tick / 10) * barSpace, x2: labelWidth + (tick / 10) * barSpace, y1: 0, y2: height - 20, class: "taf-chart__grid" })),
    ...[0, 5, 10].map((tick) => svg("text", { x: labelWidth + (tick / 10) * barSpace, y: height - 4, "text-anchor": "middle", class: "taf-chart__tick" }, String(tick))),
    ...points.flatMap((point, index) => {
      const y = index * rowHeight + 4;
      const width = (point.score / 10) * barSpace;
      return [
        svg("text", { x: labelWidth - 8, y: y + 19, "text-anchor": "end", class: "taf-chart__label" }, formatDate(point.on)),
        svg("rect", { x: labelWidth, y, width, height: rowHeight - 10, class: "taf-chart__bar" }),
        svg("text", { x: labelWidth + width + 6, y: y + 19, class: "taf-chart__value" }, String(point.score)),
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
