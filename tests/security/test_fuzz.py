"""Schemathesis fuzzes every query and mutation of the running server (its own uvicorn process):
no 5xx, no error without a code, no INTERNAL error, no trace. `make fuzz` runs a longer campaign."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from server.config import REPO_ROOT
from tests.builders import create_area, issue_token
from tests.conftest import free_port
from tests.server_process import wait_until_ready

pytestmark = pytest.mark.long

EXAMPLES_PER_OPERATION = int(os.environ.get("TAF_FUZZ_EXAMPLES", "8"))


async def test_fuzzing_every_operation_finds_no_fault(database_url, sessions):
    # given a server of its own on the test database, and a signed-in lead professional
    area = await create_area(sessions)
    token = await issue_token(sessions, area.lead)
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TAF_PORT": str(port),
        "TAF_ENV": "test",
        "TAF_DEMO_DATA": "0",
        "TAF_PUBLIC_ORIGIN": f"http://127.0.0.1:{port}",
        # budgets out of the way, so that every resolver is explored (tests/security/test_abuse_limits.py
        # covers them); the fuzzer signs in from one address and calls the list queries often
        **{f"TAF_RATE_{name}_PER_WINDOW": "1000000" for name in ("REPORTS", "SEARCHES", "INVITES", "ANONYMOUS")},
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        cwd=REPO_ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_until_ready(f"http://127.0.0.1:{port}", server)
        # when schemathesis generates requests for every operation (signing out excluded: it would end
        # the session the rest of the run uses)
        fuzz = subprocess.run(
            [
                str(REPO_ROOT / ".venv" / "bin" / "st"),
                "run",
                f"http://127.0.0.1:{port}/graphql",
                "-H",
                f"Authorization: Bearer {token}",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--workers",
                "1",
                "--seed",
                "20261125",
                "--checks",
                "taf_error_contract",
                "--exclude-name",
                "Mutation.authLogout",
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.security.fuzz_checks", "PYTHONPATH": str(REPO_ROOT)},
            capture_output=True,
            text=True,
            timeout=max(600, 12 * EXAMPLES_PER_OPERATION),  # make fuzz (100 a operation) took 6 minutes
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    # then every generated case passed
    counts = re.search(r"(\d+) generated, (\d+) passed", fuzz.stdout)
    assert fuzz.returncode == 0, fuzz.stdout[-3000:]
    assert counts and counts.group(1) == counts.group(2) and int(counts.group(1)) > 100, fuzz.stdout[-1000:]
    print(f"schemathesis: {counts.group(0)}")  # the figure for the notes (pytest -s shows it)
