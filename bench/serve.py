"""The real app for `make bench`, as production builds it, for `uvicorn --factory bench.serve:app --workers N`
(several worker processes need an import string). BENCH_SERVE_URL is the benchmark database's URL."""

from __future__ import annotations

import os

from starlette.applications import Starlette

from bench.sharing_scale import bench_settings
from server.app import create_app


def app() -> Starlette:
    return create_app(bench_settings(os.environ["BENCH_SERVE_URL"]))
