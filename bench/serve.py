"""The real app for `make bench`, as production builds it, for `uvicorn --factory bench.serve:app --workers N`
(several worker processes need an import string). BENCH_SERVE_URL is the benchmark database's URL."""

from __future__ import annotations

import os

from starlette.applications import Starlette

from server.app import create_app
from server.config import REPO_ROOT, Environment, Settings


def app() -> Starlette:
    settings = Settings(
        database_url=os.environ["BENCH_SERVE_URL"],
        environment=Environment.production,
        demo_data=False,
        data_dir=REPO_ROOT / ".data",
    )
    return create_app(settings)
