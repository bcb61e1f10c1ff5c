// The GraphQL client. It sends only the documents in graphql/operations/ (served read-only at
// /operations/), never query strings written here: the contract test validates those documents
// against the schema, so the front end cannot drift from the API unnoticed (STYLE.md R19).

import { currentSession } from "./session.js";

// The operation files under graphql/operations/ that hold an operation the front end sends, in name order
// (tests/e2e/test_static.py holds this list to the folder). They are loaded on the first call, and each
// operation is sent with its whole file.
const FILES = [
  "accounts",
  "agreement",
  "assessment",
  "audit",
  "auth",
  "caseimport",
  "chronology",
  "consent",
  "contact",
  "contribution",
  "cover",
  "directory",
  "escalation",
  "family",
  "family_network",
  "follow_up",
  "legal_status",
  "meeting",
  "my_work",
  "notifications",
  "outcomes",
  "panel",
  "plan",
  "portal",
  "referral",
  "retention",
  "safeguarding",
  "service",
  "team",
  "transition",
];
const OPERATION = /^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/gm;

let documents = null;

/** An error from the API (or from reaching it), with its stable code. Never shown as is: see errors.js. */
export class ApiError extends Error {
  constructor(code, message = "", field = null) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

async function loadDocuments() {
  const texts = await Promise.all(
    FILES.map(async (file) => {
      const response = await fetch(`/operations/${file}.graphql`);
      if (!response.ok) throw new ApiError("INTERNAL");
      return response.text();
    }),
  );
  const byName = new Map();
  for (const text of texts) {
    // A file is sent whole, with operationName, so the fragments it defines come with it.
    for (const match of text.matchAll(OPERATION)) byName.set(match[1], text);
  }
  return byName;
}

/** The document for a named operation (for the subscription, which goes over the socket in live.js). */
export function operationDocument(name) {
  documents ??= loadDocuments().catch((error) => {
    documents = null; // try again next time
    throw error;
  });
  return documents.then((byName) => {
    if (!byName.has(name)) throw new ApiError("INTERNAL", `unknown operation ${name}`);
    return byName.get(name);
  });
}

// Persisted operations (server/api/persisted.py): a document is sent by the SHA-256 of its text, as in
// the Apollo convention; the server knows the same files. Where the browser has no Web Crypto (a page not
// served over https or from localhost), or the server does not know the hash, the text goes instead.
const hashes = new Map();

function hashOf(text) {
  if (!globalThis.crypto || !globalThis.crypto.subtle) return Promise.resolve(null);
  if (!hashes.has(text)) {
    const digest = globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    hashes.set(
      text,
      digest.then((bytes) => Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("")),
    );
  }
  return hashes.get(text);
}

async function post(body) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const session = currentSession();
  if (session) headers.Authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify(body), credentials: "omit" });
  } catch {
    throw new ApiError("NETWORK");
  }
  try {
    return { response, body: await response.json() };
  } catch {
    throw new ApiError(response.status === 413 ? "PAYLOAD_TOO_LARGE" : "INTERNAL");
  }
}

function notPersisted(body) {
  return Boolean(body.errors && body.errors.some((error) => (error.extensions || {}).code === "PERSISTED_QUERY_NOT_FOUND"));
}

/** Run a named operation; resolve to its data or reject with an ApiError. */
export async function call(operationName, variables = {}) {
  let query;
  try {
    query = await operationDocument(operationName);
  } catch (error) {
    throw error instanceof ApiError ? error : new ApiError("NETWORK");
  }
  const sha256Hash = await hashOf(query);
  let answer = sha256Hash
    ? await post({ operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash } } })
    : await post({ query, operationName, variables });
  if (sha256Hash && notPersisted(answer.body)) answer = await post({ query, operationName, variables });
  const { response, body } = answer;
  if (body.errors && body.errors.length) {
    const [first] = body.errors;
    const extensions = first.extensions || {};
    throw new ApiError(extensions.code || "INTERNAL", first.message || "", extensions.field || null);
  }
  if (!response.ok || !body.data) throw new ApiError("INTERNAL");
  return body.data;
}
