"""Issue 20's goal: the area outcomes report over 10,000 families under 200 ms.

A database of its own (`taf_area_report`): one area's early help service leads 10,000 families, each with a
health worker on its team, an entry and an exit assessment in the last two years (five family risk factors
rated each time, resilience indicators), two services received (intensive family support recorded by early
help, CAMHS appointments recorded by health), eight contacts between entry and exit, a closure a week after
the exit for half of them (four in five remaining at home), a re-referral within the year for one closure in
ten, and, for one family in ten, a consent to share health
information with the whole team (so that the families' facts are not all alike). Written with COPY, like
bench/data/. The early help manager's OutcomesReport over the two years counts all 10,000; it is sent to the
real app (bench/serve.py under uvicorn, one worker) as the web sends it, one request at a time, after a
warm-up, and timed on the client. The machine's load average is printed with the figures, and so is what a
request costs on a core (the app's worker, PostgreSQL's backends) and how long the backends waited for one:
on this shared machine the time taken follows the load, the work much less.

    .venv/bin/python -m bench.area_report [--families 10000] [--requests 30] [--reuse]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.api import ask
from bench.data.casework import FACTOR_CATEGORY, FAMILY_FACTORS, RATINGS, RESILIENCE
from bench.data.people import AGENCY_COLUMNS, FAMILY_COLUMNS, MEMBERSHIP_COLUMNS, USER_COLUMNS
from bench.data.sessions import mint_tokens
from bench.data.writer import Writer
from bench.database import ROOT, dsn, migrate, on, postgres, record, recorded, recreate
from bench.servers import APP, app_environment, uvicorn_server

DATABASE = "taf_area_report"
GOAL_MS = 200
LEADS = 200
ASSESSMENT_COLUMNS = (
    "id", "family_id", "stage", "assessed_on", "level_of_need", "strengths", "needs", "child_views", "family_views",
    "protective_factors", "resilience_indicators", "author_user_id", "owning_agency_id", "created_at",
)  # fmt: skip
NARRATIVE = ("Warm relationships", "Routines, school attendance", "I want calm at home", "We asked for help", "Gran")
RATING_COLUMNS = ("id", "assessment_id", "factor", "member_id", "rating", "owning_agency_id", "category")
SERVICE_COLUMNS = (
    "id", "family_id", "service_id", "provider_agency_id", "started_on", "ended_on", "quantity", "unit_price_pence",
    "owning_agency_id", "category", "recorded_by_user_id", "created_at",
)  # fmt: skip
CONSENT_COLUMNS = (
    "id", "family_id", "given_by_member_id", "capacity", "decision", "categories", "whole_team",
    "recipient_agency_ids", "purpose", "evidence_reference", "recorded_by_user_id", "valid_from", "created_at",
)  # fmt: skip
LEVELS = ["universal", "targeted", "specialist", "statutory"]
DATA_VERSION = 2  # 2: closures, contacts and re-referrals (the report's journey figures)
TRANSITION_COLUMNS = (
    "id", "family_id", "kind", "effective_on", "reason", "receiving_team", "outcome", "care_outcome",
    "support_continuing", "contact_if_difficulties", "family_feedback", "recorded_by_user_id", "created_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "family_id", "worker_user_id", "owning_agency_id", "contacted_at", "kind", "duration_minutes", "note",
    "category", "created_at",
)  # fmt: skip
REFERRAL_COLUMNS = (
    "id", "family_id", "version", "received_on", "referrer_name", "referrer_organisation", "referrer_role",
    "referrer_contact", "consent", "consent_given_by", "reason", "presenting_needs", "owning_agency_id", "category",
    "recorded_by_user_id", "created_at", "redirected_to", "earlier_family_id", "earlier_closure_id", "updated_at",
)  # fmt: skip


async def generate(url: str, families: int, seed: int = 2026) -> dict[str, Any]:
    connection = await asyncpg.connect(dsn(url))
    try:
        w = Writer(connection, seed)
        early_help, health = w.new_id(), w.new_id()
        await w.copy("agency", AGENCY_COLUMNS, [(early_help, "Area early help", "early_help", w.now),
                                                 (health, "Area health", "health", w.now)])  # fmt: skip
        manager = w.new_id()
        leads = [w.new_id() for _ in range(LEADS)]
        nurses = [w.new_id() for _ in range(LEADS // 2)]
        staff = [(manager, "manager", early_help)] + [(u, "practitioner", early_help) for u in leads]
        staff += [(u, "practitioner", health) for u in nurses]
        await w.copy("app_user", USER_COLUMNS, [(u, f"{u.hex}@bench.example", "Bench worker", "staff", role, agency,
                                                 True, w.now) for u, role, agency in staff])  # fmt: skip
        family_ids = [w.new_id() for _ in range(families)]
        await w.copy("family", FAMILY_COLUMNS, [(f, f"A{f.hex[:12]}", f"Area family {i}", "active", "targeted",
                                                 w.now - timedelta(days=800), None, 1, w.now)
                                                for i, f in enumerate(family_ids)])  # fmt: skip
        members = [w.new_id() for _ in family_ids]
        await w.copy("family_member", ("id", "family_id", "full_name", "date_of_birth", "relationship",
                                       "is_subject_child", "created_at"),
                     [(m, f, "Parent", date(1985, 1, 1), "mother", False, w.now)
                      for m, f in zip(members, family_ids, strict=True)])  # fmt: skip
        teams = [(f, leads[i % LEADS], nurses[i % len(nurses)]) for i, f in enumerate(family_ids)]
        await w.copy("team_membership", MEMBERSHIP_COLUMNS, [
            (w.new_id(), f, agency, user, role, "Worker", "", "", w.now, None, None, w.now)
            for f, lead, nurse in teams
            for agency, user, role in ((early_help, lead, "lead_professional"), (health, nurse, "contributor"))
        ])  # fmt: skip
        exits = await _casework(w, teams, early_help)
        await _services(w, connection, teams, early_help, health)
        await _journey(w, teams, exits, early_help, health)
        await w.copy("consent", CONSENT_COLUMNS, [
            (w.new_id(), f, m, "self", "given", ["health"], True, [], "To coordinate the plan", f"CS-{i}", lead,
             w.now - timedelta(days=30), w.now)
            for i, ((f, lead, _), m) in enumerate(zip(teams, members, strict=True)) if i % 10 == 0])  # fmt: skip
        await connection.execute("ANALYZE")  # as autovacuum would have by the time anyone asks for a report
        meta = {"families": families, "seed": seed, "manager": str(manager), "lead": str(leads[0])}
        meta["version"] = DATA_VERSION
        await record(connection, meta)
        return meta
    finally:
        await connection.close()


async def _casework(w: Writer, teams: list[tuple], early_help: uuid.UUID) -> list[date]:
    """Each family's entry and exit assessments with their ratings; the exit days, by family."""
    assessments, ratings, exits = [], [], []
    for f, lead, _ in teams:
        exit_on = (w.now - timedelta(days=w.rng.uniform(1, 700))).date()
        exits.append(exit_on)
        for stage, day in (("entry", exit_on - timedelta(days=120)), ("exit", exit_on)):
            assessment = w.new_id()
            resilience = w.rng.sample(RESILIENCE, w.rng.randint(1, 6))
            level = w.rng.choice(LEVELS)
            assessments.append((assessment, f, stage, day, level, *NARRATIVE, resilience, lead, early_help, w.now))
            for factor in w.rng.sample(FAMILY_FACTORS, 5):
                rating = w.rng.choice(RATINGS)
                ratings.append((w.new_id(), assessment, factor, None, rating, early_help, FACTOR_CATEGORY[factor]))
    await w.copy("assessment", ASSESSMENT_COLUMNS, assessments)
    await w.copy("assessment_rating", RATING_COLUMNS, ratings)
    return exits


async def _services(w: Writer, connection, teams: list[tuple], early_help: uuid.UUID, health: uuid.UUID) -> None:
    found = await connection.fetch(
        "SELECT s.code, s.id, s.category, p.unit_price_pence FROM catalogue_service s"
        " JOIN service_price p ON p.service_id = s.id"
    )
    prices = {row["code"]: (row["id"], row["category"], row["unit_price_pence"]) for row in found}
    started = (w.now - timedelta(days=900)).date()
    rows = []
    for f, lead, nurse in teams:
        for code, agency, user, quantity in (("intensive_family_support", early_help, lead, w.rng.randint(4, 20)),
                                             ("camhs_appointment", health, nurse, w.rng.randint(1, 8))):  # fmt: skip
            service, category, price = prices[code]
            rows.append((w.new_id(), f, service, agency, started, None, quantity, price, agency, category, user, w.now))
    await w.copy("service_received", SERVICE_COLUMNS, rows)


async def _journey(w: Writer, teams: list[tuple], exits: list[date], early_help: uuid.UUID, health: uuid.UUID) -> None:
    contacts, closures, referrals = [], [], []
    for i, ((f, lead, nurse), exit_on) in enumerate(zip(teams, exits, strict=True)):
        for n in range(8):
            worker, agency = (lead, early_help) if n % 2 == 0 else (nurse, health)
            at = datetime.combine(exit_on - timedelta(days=15 * n), datetime.min.time(), UTC).replace(hour=10)
            contacts.append((w.new_id(), f, worker, agency, at, "home_visit", 60, "", "other", w.now))
        closure, closed_on = w.new_id(), exit_on + timedelta(days=7)
        if i % 2 or closed_on > w.now.date():
            continue
        care = "remained_at_home" if w.rng.random() < 0.8 else "entered_care"
        closures.append((closure, f, "closure", closed_on, "Goals met", "", "goals_achieved", care, "Mentoring",
                         "Early Help Hub", "", lead, w.now))  # fmt: skip
        if i % 20 == 0 and closed_on + timedelta(days=90) <= w.now.date():
            referrals.append((w.new_id(), f, 1, closed_on + timedelta(days=90), "School nurse", "School", "", "",
                              "given", "Mother", "Worries again", "Attendance", early_help, "other", lead, w.now, "",
                              f, closure, w.now))  # fmt: skip
    await w.copy("contact_log", CONTACT_COLUMNS, contacts)
    await w.copy("family_transition", TRANSITION_COLUMNS, closures)
    await w.copy("referral", REFERRAL_COLUMNS, referrals)


async def measure(url: str, token: str, requests: int) -> dict[str, Any]:
    today = date.today()
    period = {"filter": {"exitedFrom": (today - timedelta(days=730)).isoformat(), "exitedTo": today.isoformat()}}
    load_before = os.getloadavg()
    async with (
        uvicorn_server(APP, 1, app_environment(url)) as (port, app),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
    ):
        for _ in range(3):  # warm-up: connections, prepared statements, the policy
            report = (await ask(client, "OutcomesReport", period, token))["outcomesReport"]
        serving = await backends(url)
        before = on_core([app.pid, *serving])
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            await ask(client, "OutcomesReport", period, token)
            timings.append((time.perf_counter() - started) * 1000)
        after = on_core([app.pid, *serving])
    timings.sort()
    return {
        "families_counted": report["families"],
        "risk_factors": len(report["riskFactors"]),
        "cost_per_family": report["costPerFamily"],
        "families_closed": report["familiesClosed"],
        "remained_at_home_percent": report["remainedAtHomePercent"],
        "re_referred_percent": report["reReferredPercent"],
        "mean_contacts_per_family": report["meanContactsPerFamily"],
        "requests": requests,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 1),
        "min_ms": round(timings[0], 1),
        "max_ms": round(timings[-1], 1),
        **_work(before, after, app.pid, serving, requests),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "goal_ms": GOAL_MS,
        "goal_met": statistics.median(timings) < GOAL_MS,
    }


async def backends(url: str) -> list[int]:
    """The PostgreSQL backends serving the database (the servers' pooled connections, after their warm-up)."""
    connection = await asyncpg.connect(dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
    finally:
        await connection.close()
    return [row["pid"] for row in rows]


def on_core(pids: list[int]) -> dict[int, tuple[float, float]]:
    """Per process (its threads too), milliseconds on a core and runnable but waiting for one, from Linux's
    schedstat; processes not on this machine (a remote DATABASE_URL) or ended are left out."""
    found = {}
    for pid in pids:
        try:
            stats = [(task / "schedstat").read_text().split() for task in Path(f"/proc/{pid}/task").iterdir()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[pid] = (sum(int(s[0]) for s in stats) / 1e6, sum(int(s[1]) for s in stats) / 1e6)
    return found


def _work(before: dict, after: dict, app: int, backends: list[int], requests: int) -> dict[str, float]:
    """The work a request costs, which the machine's load stretches far less than its time: the app's and the
    database's time on a core, and how long the database's backends were runnable but waited for a core (on a
    busy machine, most of the difference between the time on a core and the time taken)."""
    kept = [pid for pid in backends if pid in before and pid in after]
    if app not in before or app not in after or not kept:
        return {}

    def per_request(pids: list[int], field: int) -> float:
        return round(sum(after[pid][field] - before[pid][field] for pid in pids) / requests, 1)

    return {
        "app_on_core_ms": per_request([app], 0),
        "postgres_on_core_ms": per_request(kept, 0),
        "postgres_waiting_for_core_ms": per_request(kept, 1),
    }


async def main(families: int, requests: int, reuse: bool) -> dict[str, Any]:
    server, _embedded = postgres()
    meta = await recorded(server, DATABASE) if reuse else None
    if meta is None or meta.get("families") != families or meta.get("version") != DATA_VERSION:
        url = await recreate(server, DATABASE)
        await migrate(url)
        meta = await generate(url, families)
    url = on(server, DATABASE)
    token = (await mint_tokens(dsn(url), [uuid.UUID(meta["manager"])]))[uuid.UUID(meta["manager"])]
    return await measure(url, token, requests)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(main(args.families, args.requests, args.reuse))
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / "area-report.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
