"""The public API as the benchmarks speak it: GraphQL over HTTP, sending the operation documents of
graphql/operations/ as the web front end does (web/js/api.js): by the SHA-256 of the file (persisted
operations, the Apollo convention), with operationName and variables."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
from graphql import OperationDefinitionNode, parse

from bench.database import ROOT

OPERATIONS = ROOT / "graphql" / "operations"


def documents() -> dict[str, str]:
    """Operation name -> the whole file it is in."""
    found = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        text = path.read_text()
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                found[definition.name.value] = text
    return found


DOCUMENTS = documents()


def persisted_body(name: str, variables: dict[str, Any]) -> dict[str, Any]:
    digest = hashlib.sha256(DOCUMENTS[name].encode()).hexdigest()
    return {
        "operationName": name,
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }


def graphql_body(name: str, variables: dict[str, Any]) -> bytes:
    return json.dumps(persisted_body(name, variables)).encode()


async def ask(client: httpx.AsyncClient, name: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    """The operation's data; an error or an HTTP status other than 200 raises."""
    response = await client.post(
        "/graphql",
        content=graphql_body(name, variables),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"{name} failed: {response.status_code} {str(body)[:500]}")
    return body["data"]
