from __future__ import annotations

from server.user.models import User
from tests.builders import PASSWORD
from tests.graphql_client import GraphQLClient


async def sign_in(gql: GraphQLClient, user: User) -> str:
    data = await gql.data("Login", {"email": user.email, "password": PASSWORD})
    return data["authLogin"]["token"]
