from __future__ import annotations

from server.user.models import User
from tests.builders import PASSWORD
from tests.graphql_client import GraphQLClient

_tokens: dict = {}


async def sign_in(gql: GraphQLClient, user: User, *, fresh: bool = False) -> str:
    """A token for the user; reused within the session (argon2 verification is deliberately slow)
    unless `fresh` asks for a new sign-in, as tests of signing out do."""
    if fresh or user.id not in _tokens:
        data = await gql.data("Login", {"email": user.email, "password": PASSWORD})
        _tokens[user.id] = data["authLogin"]["token"]
    return _tokens[user.id]
