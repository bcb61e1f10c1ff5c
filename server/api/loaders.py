"""DataLoaders with a request lifetime (R17): one SELECT per kind of child per request."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, partial

from strawberry.dataloader import DataLoader

from server.access.pep import AccessControl
from server.agency.loaders import agency_by_id
from server.config import Settings
from server.contribution.loaders import versions_by_contribution_id
from server.db.engine import SessionFactory
from server.family.loaders import (
    attention_by_family_id,
    family_by_id,
    members_by_family_id,
    visible_family_by_id,
)
from server.inbox.loaders import content_by_ref, items_by_digest
from server.meeting.loaders import (
    content_by_meeting,
    review_by_family_id,
)
from server.service_catalogue.loaders import service_by_id
from server.team.loaders import active_team_by_family_id, lead_by_family_id
from server.user.loaders import user_by_id


class Loaders:
    """Each loader is made when a resolver first asks for it: most requests use one or two of them."""

    def __init__(self, sessions: SessionFactory, access: Callable[[], AccessControl], settings: Settings) -> None:
        """`access` gives the request's enforcement point, for loaders that decide what the caller may see."""
        self._sessions = sessions
        self._access = access
        self._settings = settings

    @cached_property
    def members_by_family_id(self) -> DataLoader:
        return DataLoader(partial(members_by_family_id, self._sessions))

    @cached_property
    def family_by_id(self) -> DataLoader:
        return DataLoader(partial(family_by_id, self._sessions))

    @cached_property
    def visible_family_by_id(self) -> DataLoader:
        return DataLoader(partial(visible_family_by_id, self._sessions, self._access))

    @cached_property
    def review_by_family_id(self) -> DataLoader:
        return DataLoader(partial(review_by_family_id, self._sessions, self._access, self._settings))

    @cached_property
    def active_team_by_family_id(self) -> DataLoader:
        return DataLoader(partial(active_team_by_family_id, self._sessions))

    @cached_property
    def lead_by_family_id(self) -> DataLoader:
        return DataLoader(partial(lead_by_family_id, self._sessions))

    @cached_property
    def agency_by_id(self) -> DataLoader:
        return DataLoader(partial(agency_by_id, self._sessions))

    @cached_property
    def user_by_id(self) -> DataLoader:
        return DataLoader(partial(user_by_id, self._sessions))

    @cached_property
    def service_by_id(self) -> DataLoader:
        return DataLoader(partial(service_by_id, self._sessions))

    @cached_property
    def versions_by_contribution_id(self) -> DataLoader:
        return DataLoader(partial(versions_by_contribution_id, self._sessions))

    @cached_property
    def content_by_meeting(self) -> DataLoader:
        return DataLoader(partial(content_by_meeting, self._sessions, self._access))

    @cached_property
    def attention_by_family_id(self) -> DataLoader:
        return DataLoader(partial(attention_by_family_id, self._sessions, self._access))

    @cached_property
    def notification_content(self) -> DataLoader:
        return DataLoader(partial(content_by_ref, self._sessions, self._access))

    @cached_property
    def notification_digest_items(self) -> DataLoader:
        return DataLoader(partial(items_by_digest, self._sessions, self._access))

    def forget(self) -> None:
        """Clear caches after a change, so a mutation's result reflects what it just wrote."""
        for loader in vars(self).values():
            if isinstance(loader, DataLoader):
                loader.clear_all()
