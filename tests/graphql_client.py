"""Sends the operation documents in graphql/operations/ (the contract the web front end uses)."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
from graphql import OperationDefinitionNode, parse

from server.config import REPO_ROOT

OPERATIONS_DIR = REPO_ROOT / "graphql" / "operations"


@cache
def operation_documents() -> dict[str, str]:
    """Operation name -> the text of the file that defines it (sent whole, with operationName)."""
    documents: dict[str, str] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        text = path.read_text()
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                documents[definition.name.value] = text
    return documents


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self,
        query: str,
        variables: dict | None = None,
        token: str | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        response = await self.http.post("/graphql", json=body, headers=headers)
        assert response.headers["content-type"].startswith("application/json"), response.text
        return response.json()

    async def op(self, name: str, variables: dict | None = None, token: str | None = None) -> dict[str, Any]:
        return await self.raw(operation_documents()[name], variables, token, operation_name=name)

    async def data(self, name: str, variables: dict | None = None, token: str | None = None) -> dict[str, Any]:
        """Run an operation that must succeed; return its data."""
        result = await self.op(name, variables, token)
        assert "errors" not in result, result
        return result["data"]

    async def error(self, name: str, variables: dict | None = None, token: str | None = None) -> dict[str, Any]:
        """Run an operation that must fail; return its only error."""
        result = await self.op(name, variables, token)
        assert result.get("errors"), result
        assert len(result["errors"]) == 1, result
        return result["errors"][0]


def code(error: dict[str, Any]) -> str:
    return error["extensions"]["code"]
