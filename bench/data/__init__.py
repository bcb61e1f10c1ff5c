"""The benchmarks' data, written straight into PostgreSQL's tables with COPY: data, not the server's internals.

`generator.Generator` writes the one data set of `make bench` and `make bench-sharing` at a `plan.Plan`'s
scale; `teams.write_teams` writes the notification burst's small teams on the same writer; `sessions`
mints sign-ins (session_token rows) so that no deliberately slow password check sits in a measurement."""
