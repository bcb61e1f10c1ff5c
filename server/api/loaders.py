"""DataLoaders with a request lifetime (R17): one SELECT per kind of child per request."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

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
    addenda_by_meeting,
    changes_by_meeting_id,
    decisions_by_meeting,
    invitees_by_meeting_id,
    minutes_items_by_meeting,
    review_by_family_id,
)
from server.plan.loaders import actions_by_meeting_id
from server.service_catalogue.loaders import service_by_id
from server.team.loaders import active_team_by_family_id, lead_by_family_id
from server.user.loaders import user_by_id


class Loaders:
    def __init__(self, sessions: SessionFactory, access: Callable[[], AccessControl], settings: Settings) -> None:
        """`access` gives the request's enforcement point, for loaders that decide what the caller may see."""
        self.members_by_family_id = DataLoader(partial(members_by_family_id, sessions))
        self.family_by_id = DataLoader(partial(family_by_id, sessions))
        self.visible_family_by_id = DataLoader(partial(visible_family_by_id, sessions, access))
        self.review_by_family_id = DataLoader(partial(review_by_family_id, sessions, access, settings))
        self.active_team_by_family_id = DataLoader(partial(active_team_by_family_id, sessions))
        self.lead_by_family_id = DataLoader(partial(lead_by_family_id, sessions))
        self.agency_by_id = DataLoader(partial(agency_by_id, sessions))
        self.user_by_id = DataLoader(partial(user_by_id, sessions))
        self.service_by_id = DataLoader(partial(service_by_id, sessions))
        self.versions_by_contribution_id = DataLoader(partial(versions_by_contribution_id, sessions))
        self.invitees_by_meeting_id = DataLoader(partial(invitees_by_meeting_id, sessions))
        self.minutes_items_by_meeting = DataLoader(partial(minutes_items_by_meeting, sessions, access))
        self.decisions_by_meeting = DataLoader(partial(decisions_by_meeting, sessions, access))
        self.addenda_by_meeting = DataLoader(partial(addenda_by_meeting, sessions, access))
        self.changes_by_meeting_id = DataLoader(partial(changes_by_meeting_id, sessions))
        self.actions_by_meeting_id = DataLoader(partial(actions_by_meeting_id, sessions, access))
        self.attention_by_family_id = DataLoader(partial(attention_by_family_id, sessions, access))
        self.notification_content = DataLoader(partial(content_by_ref, sessions, access))
        self.notification_digest_items = DataLoader(partial(items_by_digest, sessions, access))

    def forget(self) -> None:
        """Clear caches after a change, so a mutation's result reflects what it just wrote."""
        for loader in vars(self).values():
            loader.clear_all()
