"""Where the code is shaped for speed, and the process settings that are purely about speed.

None of these changes a decision or a result; each is here because a measurement showed it mattered
(figures in bench/results/), and each names the test that keeps it honest. A newcomer can read the rest
of the code without them in mind. The deliberate speed-ups elsewhere, so that all of them are found here:

- Policy decisions (server/access/enforcer.py): one small pycasbin enforcer per (role, kind, action)
  holding only that group's lines, with the parsed matcher kept: about 46 µs a decision instead of
  about 730 µs for stock pycasbin over the whole policy (bench/results/sharing.md, section c). Same
  decisions as stock pycasbin (tests/access/test_enforcer.py, which also pins the pycasbin internals
  the matcher cache relies on).
- Facts for many (actor, family) pairs in one statement (server/access/pep.py `load_facts_of_many`),
  and a dispatch batch's teams and recipients read once for all its events (server/inbox/audience.py,
  kept for the transaction by notifications/transaction.py): a burst's dispatch costs a few statements,
  not a few per recipient per event (tests/notifications/test_notification_batch_facts.py: the same facts;
  tests/notifications/test_dispatch_at_commit.py: the same statements for a team of two or twenty).
- The dispatcher on an event loop and thread of its own (notifications/dispatcher.py `DispatchThread`),
  so a busy request loop does not delay notifications (bench/results/notifications.md).
- The bus decides what every subscriber of a drain may receive at once (server/inbox/live.py
  `fan_out_check`), not once per subscriber.
- A dispatch batch's teams read with each member's account and facts of the family in one statement
  (server/access/facts.py `team_facts_statement`; the own-family check only for an actor who is a family
  member, as PostgreSQL otherwise hashed every family_member row for a team of staff), and its writes in one
  more whatever the team's size:
  the dispatch lock, the notifications from one JSON text of their rows (constant SQL, prepared once; asyncpg
  encoded twelve arrays value by value), the events marked dispatched and the NOTIFY
  (notifications/dispatcher.py `Fanout.write`). The rows are read through a scalar subquery, so that
  PostgreSQL keeps one plan for the write on a pooled connection instead of planning it anew for every
  dispatch (tests/notifications/test_dispatch_at_commit.py: the same estimate for a team of 2 and of 32).
- Lean writes (issue 15, figures in bench/README.md "Lean writes"): a change's new rows, its audit event
  and its idempotency key's result are queued and written in one statement of data-modifying CTEs
  (server/writes.py `later`, `add_later`, `flush`, called by server/api/mutation.py); the family is locked
  and read in one statement (`lock_and_require`, `lock_family_of`; a meeting's draft-minutes changes lock the
  meeting and its family and read the caller's facts in one, `share_family_of`, tests/access/
  test_facts_version.py); a versioned update returns its row
  (server/db/versioning.py); the outbox's lock is taken in its insert; a request's concurrent resolvers
  read a family's facts once (server/access/pep.py `load_facts`). The same answers, audit and
  notifications (tests/api/test_query_counts_writes.py also holds each mutation's statements flat for a
  team of 3 and of 40).
- Optimistic writes (server/writes.py `write_optimistically`): a change that only adds to a family's record
  (ContributionAdd; a meeting's minutes items and decisions without a key, `share_family_of`) reads without a
  lock, decides, and is written by one statement alone that holds only if the family's row (and the meeting's)
  is still the version read and every checked write's precondition holds: no BEGIN, no COMMIT, no pooled
  connection (tests/contribution/test_optimistic_adds.py, tests/meeting/test_optimistic_minutes.py).
  MinutesPublish too, its dispatch in that statement: the team read alone after the decision, then the
  event written already dispatched with its notifications and NOTIFY, the outbox's, the audit chain's and
  the dispatch's locks taken first in that order (tests/meeting/test_optimistic_publish.py). 4 statements
  where it sent 7 and BEGIN, SAVEPOINT, RELEASE and COMMIT.
- A dispatch reads its team's facts as a decision about the family reads them (server/access/facts.py
  `team_member_facts`: the flags of rules.family_decision_key, not the item sets), 0.26 ms of PostgreSQL's
  CPU where the full facts took 1.04 (tests/access/test_team_facts.py: the same decisions, every act and kind).
- No pool pre-ping; a connection PostgreSQL closed is replaced at checkout without a round trip
  (server/db/engine.py `_replace_if_cut`).
- The import of historic cases (server/caseimport/) checks each row with the domain's `*_values`
  functions, which give plain column values rather than ORM instances (4.5 ms a family went on building
  instances), and writes them with COPY on the unit of work's connection (Core executemany managed about
  7,000 rows a second): 561 families a second over 10,000, at a load average of 12 on 2 cores
  (bench/results/import.md). The same checks as the API (tests/caseimport/test_import.py).
- The factor catalogue's index by code is built once (server/assessment/factors.py `by_code`), not per
  rating asked about.
- The read audit (figures in bench/README.md, "The read audit's detail written compactly"): concurrent
  requests' read events committed together (server/audit/group_commit.py), their detail written by orjson,
  each read's facts by position in the event's own lists (server/audit/read_detail.py) and stored without
  compression (migration 0013), a request's reads kept as tuples by family and kind (server/access/pep.py
  `note_reads_decided`). The same facts in the audit log and the access log, whichever form an event holds
  (tests/audit/test_read_detail.py, tests/audit/test_group_commit.py).
"""

from __future__ import annotations

import gc

# Python collects its youngest generation every 700 allocations by default. A burst of notifications
# allocates fast, and those frequent collections (and the older ones they trigger) sit in the delivery
# tail: from a notification's row to its receipt, p99 228-358 ms with the default and 154-237 ms with
# 50,000 (bench/results/notifications.md, "the collector's threshold"). Turning the collector off did
# little better and would let reference cycles pile up.
GC_THRESHOLD = (50_000, 20, 100)


def settle_after_start_up() -> None:
    """Call once start-up has built what lives as long as the process (modules, the schema, the policy).

    That is moved out of the collector's reach (`gc.freeze`), so collections during requests stop
    traversing it (long pauses); then the collector runs at GC_THRESHOLD."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
