"""`python -m server run` (what `make run` calls) on the embedded database, as a newcomer would use it."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import uuid
from datetime import date, timedelta

import httpx

from server.config import REPO_ROOT
from server.demo.area import DEMO_PASSWORD
from tests.conftest import free_port
from tests.graphql_client import GraphQLClient
from tests.server_process import wait_until_ready


async def test_run_starts_embedded_postgres_migrates_loads_demo_data_and_stops_cleanly():
    # given no DATABASE_URL and an empty data folder
    data_dir = REPO_ROOT / ".data" / f"run-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TAF_ENV")}
    environ |= {"TAF_DATA_DIR": str(data_dir), "TAF_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "run"],
        cwd=REPO_ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # when it is ready
        base_url = f"http://127.0.0.1:{port}"
        await wait_until_ready(base_url, process)
        # then a demo account from the README signs in and sees its caseload
        async with httpx.AsyncClient(base_url=base_url) as http:
            gql = GraphQLClient(http)
            login = await gql.data("Login", {"email": "sam.patel@earlyhelp.example", "password": DEMO_PASSWORD})
            caseload = await gql.data("Caseload", {"first": 50}, token=login["authLogin"]["token"])
            carter = next(f for f in caseload["families"]["nodes"] if f["displayName"] == "The Carter family")
            items = await gql.data("FamilyContributions", {"familyId": carter["id"]}, token=login["authLogin"]["token"])
            year = {
                "exitedFrom": (date.today() - timedelta(days=365)).isoformat(),
                "exitedTo": date.today().isoformat(),
            }
            outcomes = await gql.data("CaseloadOutcomes", year, token=login["authLogin"]["token"])
            plan = await gql.data("FamilyPlan", {"familyId": carter["id"]}, token=login["authLogin"]["token"])
            meetings = await gql.data("FamilyMeetings", {"familyId": carter["id"]}, token=login["authLogin"]["token"])
            priya = await gql.data("Login", {"email": "priya.shah@health.example", "password": DEMO_PASSWORD})
            health = await gql.data("FamilyMeetings", {"familyId": carter["id"]}, token=priya["authLogin"]["token"])
            # the demo family account from the README reads the Carter family's portal
            lisa = await gql.data("Login", {"email": "lisa.carter@family.example", "password": DEMO_PASSWORD})
            portal = (await gql.data("PortalSummary", token=lisa["authLogin"]["token"]))["portalSummary"]
            # the IG officer from the README finds the long-closed Whitfield family in the retention review
            hannah = await gql.data("Login", {"email": "hannah.wood@council.example", "password": DEMO_PASSWORD})
            review = await gql.data("RetentionReviewQueue", {"first": 10}, token=hannah["authLogin"]["token"])
        assert caseload["families"]["totalCount"] >= 8
        titles = {node["title"] for node in items["family"]["contributions"]["nodes"]}
        assert "Attendance 78% this term" in titles  # consented: education
        assert "Domestic incident, 2 November" in titles  # shared by the police override
        assert "Lisa's low mood" not in titles  # refused: mental health
        # and the shared plan's demo data gives the outcomes report real figures
        report = outcomes["caseloadOutcomes"]
        assert report["families"] >= 3 and report["needDown"] >= 1 and report["riskFactors"]
        assert any(action["overdue"] for action in plan["familyPlan"]["actions"])
        # and the Carter family's plan has its contingencies, which the family sees on its portal
        triggers = [item["trigger"] for item in plan["familyPlan"]["contingencies"]]
        assert "If Lisa is admitted to hospital again" in triggers
        assert "If Lisa is admitted to hospital again" in [item["trigger"] for item in portal["contingencies"]]

        # and the minutes of the held meeting show each reader the parts shared with them
        def headings(answer: dict) -> set[str]:
            return {item["heading"] for meeting in answer["familyMeetings"] for item in meeting["minutes"]}

        assert {"Update from Riverside Academy", "Update from Northbridge Police"} <= headings(meetings)
        assert "Lisa's wellbeing" not in headings(meetings)  # refused: mental health
        assert {"Update from Riverside Academy", "Lisa's wellbeing"} <= headings(health)
        assert "Update from Northbridge Police" not in headings(health)  # the override does not name health
        assert portal["familyName"] == "The Carter family"
        assert len(portal["goals"]) == 2 and len(portal["reviews"]) == 2 and portal["nextMeeting"]["online"]
        assert "Riverside Academy" in {entry["agencyName"] for entry in portal["accessDays"]}
        assert "Domestic incident" not in str(portal) and "Lisa's low mood" not in str(portal)
        queue = review["retentionReviewQueue"]["nodes"]
        whitfield = next(f for f in queue if f["familyLabel"].startswith("The Whitfield family"))
        assert whitfield["dueOn"] == "2023-09-02"
        assert whitfield["appliesBecause"].startswith("The youngest child's 25th birthday")
        # and the demo's agreements: the lead reads Northbridge Homes' housing item, the school does not (no
        # agreement covers Northbridge Homes and Riverside Academy), though Lisa consented for the whole team
        assert "Damp repairs booked" in titles
        async with httpx.AsyncClient(base_url=base_url) as http:
            gql = GraphQLClient(http)
            dan = await gql.data("Login", {"email": "dan.okafor@school.example", "password": DEMO_PASSWORD})
            school = await gql.data("FamilyContributions", {"familyId": carter["id"]}, token=dan["authLogin"]["token"])
            hannah = await gql.data("Login", {"email": "hannah.wood@council.example", "password": DEMO_PASSWORD})
            ig = hannah["authLogin"]["token"]
            agreements = (await gql.data("DataSharingAgreements", token=ig))["dataSharingAgreements"]
            osei = next(f for f in caseload["families"]["nodes"] if f["displayName"] == "The Osei family")
            sam = login["authLogin"]["token"]
            referrals = (await gql.data("FamilyReferrals", {"familyId": osei["id"]}, token=sam))["familyReferrals"]
            ali = next(f for f in caseload["families"]["nodes"] if f["displayName"] == "The Ali family")
            ali_referrals = (await gql.data("FamilyReferrals", {"familyId": ali["id"]}, token=sam))["familyReferrals"]
            status = (await gql.data("FamilyLegalStatus", {"familyId": ali["id"]}, token=sam))["familyLegalStatus"]
            ali_closure = (await gql.data("FamilyTransitions", {"familyId": ali["id"]}, token=sam))["familyTransitions"]
            checks = (await gql.data("FamilyFollowUps", {"familyId": ali["id"]}, token=sam))["familyFollowUps"]
            panels = (await gql.data("FamilyPanelDecisions", {"familyId": ali["id"]}, token=sam))[
                "familyPanelDecisions"
            ]
            inbox = (await gql.data("Inbox", {"first": 20}, token=ig))["inbox"]["nodes"]
        school_titles = {node["title"] for node in school["family"]["contributions"]["nodes"]}
        assert "Attendance 78% this term" in school_titles and "Damp repairs booked" not in school_titles
        assert [a["title"] for a in agreements] == [
            "Northbridge Homes tenancy sustainment agreement",
            "Northbridge multi-agency information-sharing agreement",
        ]
        assert all(a["dueForReview"] for a in agreements) and agreements[0]["endsSoon"]
        # and the Osei family's referral was decided by the team manager, two days after it came in
        [referral] = referrals
        assert (referral["outcome"], referral["decidedBy"]["displayName"]) == ("accepted", "Morgan Reid")
        assert (referral["daysToDecision"], referral["daysToFirstContact"]) == (2, 3)
        # and the Ali family's journey: referral, decision, edge of care, closure at home, the 3-month check
        assert [(r["outcome"], r["daysToDecision"]) for r in ali_referrals] == [("accepted", 2)]
        assert (status[0]["legalStatus"], status[0]["edgeOfCare"]) == ("child_in_need", True)
        assert [t["careOutcome"] for t in ali_closure] == ["remained_at_home"]
        [panel] = panels
        assert (panel["sittingName"], panel["outcome"], panel["decidedBy"]["displayName"]) == (
            "Northbridge gateway panel",
            "accept_for_service",
            "Morgan Reid",
        )
        assert {(a["serviceName"], a["quantity"]) for a in panel["allocations"]} == {
            ("Intensive family support", 12),
            ("Family group conference", 1),
        }
        # its rationale is case content, and the case closed more than 90 days ago: the team no longer reads it
        assert (panel["category"], panel["rationaleVisible"], panel["rationale"]) == ("social_care", False, None)
        assert [(c["months"], c["status"], c["stillAtHome"]) for c in checks] == [
            (3, "recorded", True),
            (6, "scheduled", None),
            (12, "scheduled", None),
        ]
        # and Hannah Wood (Children's Social Care, a party to it) was told that Northbridge Homes' agreement ends soon
        for _ in range(50):
            if any(node["kind"] == "agreement_expiring" for node in inbox):
                break
            await asyncio.sleep(0.2)
            async with httpx.AsyncClient(base_url=base_url) as http:
                inbox = (await GraphQLClient(http).data("Inbox", {"first": 20}, token=ig))["inbox"]["nodes"]
        assert [node["payload"]["agreement_id"] for node in inbox if node["kind"] == "agreement_expiring"] == [
            agreements[0]["id"]
        ]
    finally:
        process.send_signal(signal.SIGINT)
        exit_code = process.wait(timeout=60)
        process.stderr.close()
    # and stopping the service stops its database too
    assert exit_code == 0
    assert not (data_dir / "pg" / "postmaster.pid").exists()
    shutil.rmtree(data_dir, ignore_errors=True)
