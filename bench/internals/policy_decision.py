"""Micro-benchmarks of the policy decision, inside the server: issue 3 asks that one item's policy decision
cost under 50 µs, and one decision cannot be timed through the API, where it is a few microseconds among a
request's milliseconds. So this module, unlike every other benchmark, imports the server's internals (the
enforcer, AccessControl, the rules, the app in-process) and breaks when they change; that is its price.

- `decisions`: the real enforcer (build_enforcer) with the real facts of family A from the database:
  AccessControl.decide on distinct items (fresh), on repeated items (memoised), raw enforce_ex, and where
  the time goes (matcher parsing, per policy line, the rules alone, cProfile, and what-ifs whose decisions
  are asserted equal to the real enforcer's). CPU time of the measuring thread is the headline figure.
- `decisions_per_request`: how many enforce_ex calls one FamilyContributions request makes, and their time,
  counted in the app run in this process.

`make bench-sharing` (bench/sharing_scale.py) reports both in section c of bench/results/sharing.md;
bench/internals/profile_family.py uses `counting_enforce` too.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import casbin
import httpx
from sqlmodel import col, select

from bench.api import ask
from bench.database import ROOT
from bench.report import percentile
from bench.servers import app_environment
from server.access.actor import Act, Actor
from server.access.enforcer import PolicyEnforcer, build_enforcer, build_reference_enforcer
from server.access.enforcer import _ParsedMatcherEnforcer as ParsedMatcherEnforcer  # the server's own, by design
from server.access.facts import FamilyFacts, ItemFacts
from server.access.pep import AccessControl
from server.access.rules import Resource, holds, item_decision_key
from server.app import create_app
from server.auth.service import actor_from
from server.config import load_settings
from server.contribution.models import Contribution
from server.contribution.service import item_facts
from server.db.engine import create_engine, create_session_factory
from server.user.models import User

POLICIES = ROOT / "policies"


@contextmanager
def counting_enforce(enforcer: PolicyEnforcer) -> Iterator[dict[str, float]]:
    """Count and time the enforcer's enforce_ex calls inside the running server (instance attribute only)."""
    tally = {"calls": 0, "seconds": 0.0}
    original = enforcer.enforce_ex

    def timed(*rvals: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*rvals)
        finally:
            tally["seconds"] += time.perf_counter() - started
            tally["calls"] += 1

    enforcer.enforce_ex = timed  # type: ignore[method-assign]
    try:
        yield tally
    finally:
        del enforcer.enforce_ex


def _what_if_enforcer(cls: type[casbin.Enforcer], lines: list[list[str]] | None) -> casbin.Enforcer:
    """Stock pycasbin (or `cls`) over the whole policy, or over `lines` only (the kind groups kept)."""
    enforcer = cls(str(POLICIES / "model.conf"), str(POLICIES / "policy.csv"))
    enforcer.add_function("holds", holds)
    enforcer.logger.disabled = True
    if lines is not None:
        groups = enforcer.get_named_grouping_policy("g")
        enforcer.clear_policy()
        if groups:
            enforcer.add_named_grouping_policies("g", groups)
        enforcer.add_policies(lines)
    return enforcer


def per_call_us(calls_per_round: int, body: Callable[[], None], *, budget: float = 3.0) -> dict[str, float]:
    """Per-call cost of `body` (which makes calls_per_round calls): median over rounds (at least 5, at most
    40, stopping after `budget` seconds). CPU time of this thread is the headline figure, since other
    processes compete for the 2 cores; wall time is reported beside it."""
    cpu, wall = [], []
    deadline = time.perf_counter() + budget
    while len(cpu) < 40 and (len(cpu) < 5 or time.perf_counter() < deadline):
        started_cpu, started_wall = time.thread_time(), time.perf_counter()
        body()
        cpu.append((time.thread_time() - started_cpu) / calls_per_round * 1e6)
        wall.append((time.perf_counter() - started_wall) / calls_per_round * 1e6)
    return {
        "median_us": round(statistics.median(cpu), 2),
        "p95_us": round(percentile(cpu, 0.95), 2),
        "min_us": round(min(cpu), 2),
        "wall_median_us": round(statistics.median(wall), 2),
        "rounds": len(cpu),
    }


async def decisions(url: str, meta: dict[str, Any]) -> dict[str, Any]:
    engine = create_engine(url, pool_size=2)
    sessions = create_session_factory(engine)
    enforcer = build_enforcer(POLICIES)
    family_id = uuid.UUID(meta["family_a_id"])
    try:
        async with sessions() as session:
            user = await session.get(User, uuid.UUID(meta["actor_user_id"]))
            assert user is not None
            actor = actor_from(user)
            facts = await AccessControl(enforcer, actor).facts(session, family_id)
            statement = (
                select(Contribution)
                .where(Contribution.family_id == family_id)
                .order_by(col(Contribution.created_at).desc(), col(Contribution.id).desc())
            )
            rows = list((await session.exec(statement)).all())
    finally:
        await engine.dispose()
    items = [item_facts(row, row.owning_agency_id) for row in rows]
    return decision_costs(enforcer, actor, facts, items)


def decision_costs(enforcer: PolicyEnforcer, actor: Actor, facts: FamilyFacts, items: list[ItemFacts]) -> dict:
    kind, act = "contribution", Act.read
    probe = AccessControl(enforcer, actor)
    visible = [item for item in items if probe.decide(act, kind, facts, item).allowed]
    page = visible[:100]  # items are newest first, as the page is
    others = [item for item in page if item.owning_agency_id != actor.agency_id]
    distinct = list(dict.fromkeys(items))  # items whose facts differ (an ItemFacts is its own key)

    def rule_inputs(item: ItemFacts) -> tuple:
        """What the item rules read of an item, for this actor: the key AccessControl memoises on."""
        return item_decision_key(actor, facts, item)

    combos = {
        "items": len(items),
        "visible": len(visible),
        "visible_share": round(len(visible) / len(items), 3) if items else None,
        "own_agency_items": sum(item.owning_agency_id == actor.agency_id for item in items),
        "owning_agencies": len({item.owning_agency_id for item in items}),
        "distinct_keys_all_items": len(distinct),
        "distinct_owner_category_all_items": len({(i.owning_agency_id, i.category) for i in items}),
        "distinct_keys_visible": len(set(visible)),
        "first_page_100_items": len(page),
        "first_page_distinct_keys": len(set(page)),
        "first_page_other_agency_items": len(others),
        "first_page_distinct_keys_other_agencies": len(set(others)),
        "first_page_distinct_owner_category": len({(i.owning_agency_id, i.category) for i in page}),
        "distinct_rule_inputs_all_items": len({rule_inputs(item) for item in items}),
        "first_page_distinct_rule_inputs_other_agencies": len({rule_inputs(item) for item in others}),
    }
    resources = [Resource(kind, facts, item) for item in distinct]

    def fresh_distinct() -> None:
        access = AccessControl(enforcer, actor)
        for item in distinct:
            access.decide(act, kind, facts, item)

    def fresh_all() -> None:
        access = AccessControl(enforcer, actor)
        for item in items:
            access.decide(act, kind, facts, item)

    warm = AccessControl(enforcer, actor)
    for item in items:
        warm.decide(act, kind, facts, item)

    def memoised() -> None:
        for item in items:
            warm.decide(act, kind, facts, item)

    def raw(target: casbin.Enforcer) -> Callable[[], None]:
        def body() -> None:
            for resource in resources:
                target.enforce_ex(actor, resource, act.value)

        return body

    reference = build_reference_enforcer(POLICIES)  # stock pycasbin, the whole policy
    matcher = reference.model["m"]["m"].value
    functions = reference.fm.get_functions()

    def parse_matcher() -> None:
        for _ in range(200):
            reference._get_expression(matcher, functions)

    lines_for_request = enforcer.lines_for(actor.role, kind, act.value)  # the kind's own and its group's
    allow_rules = [rule for _r, _k, _a, rule, effect in lines_for_request if effect == "allow"]

    def rules_only() -> None:
        for resource in resources:
            for rule in allow_rules:
                holds(rule, actor, resource)

    cached = _what_if_enforcer(ParsedMatcherEnforcer, None)
    filtered = _what_if_enforcer(casbin.Enforcer, lines_for_request)
    both = _what_if_enforcer(ParsedMatcherEnforcer, lines_for_request)
    for what_if in (cached, filtered, both):  # the what-ifs must decide exactly as the real enforcer does
        for resource in resources:
            assert what_if.enforce(actor, resource, act.value) == reference.enforce(actor, resource, act.value)
            assert enforcer.enforce_ex(actor, resource, act.value)[0] == reference.enforce(actor, resource, act.value)

    n = len(distinct)
    costs = {
        "decide_fresh_distinct": per_call_us(n, fresh_distinct),
        "decide_fresh_pass_over_all_items": per_call_us(len(items), fresh_all),
        "decide_memoised": per_call_us(len(items), memoised),
        "enforce_ex_raw": per_call_us(n, raw(enforcer)),
        "enforce_ex_stock_pycasbin_whole_policy": per_call_us(n, raw(reference)),
        "matcher_parse_only": per_call_us(200, parse_matcher),
        "rules_only_python_floor": per_call_us(n, rules_only),
        "what_if_cached_matcher": per_call_us(n, raw(cached)),
        "what_if_policy_filtered_to_role_kind_act": per_call_us(n, raw(filtered)),
        "what_if_cached_and_filtered": per_call_us(n, raw(both)),
    }
    lines = len(enforcer.get_policy())
    parse_us = costs["matcher_parse_only"]["median_us"]
    raw_us = costs["enforce_ex_raw"]["median_us"]
    costs["policy_lines_scanned_per_call"] = lines
    costs["matcher_allow_lines_for_role_kind_act"] = len(allow_rules)
    costs["per_policy_line_us"] = round((raw_us - parse_us) / lines, 2)

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        raw(enforcer)()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(entry[2] for entry in stats.stats.values())  # type: ignore[attr-defined]
    top = sorted(stats.stats.items(), key=lambda pair: pair[1][2], reverse=True)[:10]  # type: ignore[attr-defined]
    costs["profile_top_tottime"] = [
        {
            "function": f"{Path(filename).name}:{line}({name})",
            "calls": entry[1],
            "share": round(entry[2] / total, 3),
        }
        for (filename, line, name), entry in top
    ]
    return {"combinations": combos, "costs": costs, "goal_us": 50}


async def decisions_per_request(url: str, token: str, cases: list[tuple[str, str, int]]) -> dict[str, dict[str, float]]:
    """For each (label, family id, first): the enforce_ex calls of one FamilyContributions request and the
    milliseconds they took, in the app run in this process (after warming it up)."""
    app = create_app(load_settings(app_environment(url)))
    tallies = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as client:
            for _ in range(3):
                for _label, family, first in cases:
                    await ask(client, "FamilyContributions", {"familyId": family, "first": first}, token)
            for label, family, first in cases:
                with counting_enforce(app.state.taf.enforcer) as tally:
                    await ask(client, "FamilyContributions", {"familyId": family, "first": first}, token)
                tallies[label] = {"enforce_calls": tally["calls"], "enforce_ms": round(tally["seconds"] * 1000, 2)}
    return tallies
