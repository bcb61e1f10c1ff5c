"""Benchmarks that look inside the server, on purpose: what cannot be measured through the public API.

Every other benchmark drives the app as its users and operators do (GraphQL over HTTP and websockets, the
command line, the ASGI factory configured by environment variables) and reads PostgreSQL's own tables,
so a refactoring inside the server never breaks it. These import the server's internals and break when
they change: `policy_decision` (issue 3's 50 µs goal for one decision), `profile_family` (where the
family page's CPU time goes) and `profile_meeting` (where the meeting scenario's writes spend theirs).
tests/bench/test_bench_boundary.py keeps the server's internals out of every other module of bench/.
"""
