"""The app as production builds it, for `uvicorn --factory bench.serve:app --workers N` (several worker
processes need an import string): the application factory with the settings of its environment variables,
DATABASE_URL and TAF_* (bench/servers.py sets them), and nothing else."""

from __future__ import annotations

from starlette.applications import Starlette

from server.app import create_app
from server.config import load_settings


def app() -> Starlette:
    return create_app(load_settings())
