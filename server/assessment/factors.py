"""The factor lists an assessment rates, read from policies/assessment_factors.csv (data, not code)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from server.access.categories import InformationCategory

SCOPES = ("family", "member", "adult", "child", "resilience")
CATEGORIES = frozenset(category.value for category in InformationCategory)
FILE_NAME = "assessment_factors.csv"


@dataclass(frozen=True)
class Factor:
    scope: str
    code: str
    label: str
    category: str  # the information category its ratings are shared under

    @property
    def per_member(self) -> bool:
        return self.scope in ("member", "adult", "child")


@dataclass(frozen=True)
class Catalogue:
    factors: tuple[Factor, ...]

    def risk(self, code: str) -> Factor | None:
        found = self.by_code.get(code)
        return found if found and found.scope != "resilience" else None

    def is_resilience(self, code: str) -> bool:
        found = self.by_code.get(code)
        return found is not None and found.scope == "resilience"

    @cached_property
    def by_code(self) -> dict[str, Factor]:
        """Built once per catalogue (it is loaded once, and asked per rating: the import asks it 100,000 times)."""
        return {factor.code: factor for factor in self.factors}

    def category(self, code: str) -> str:
        """A retired code's ratings keep the category they were recorded with; new ratings need a known code."""
        found = self.by_code.get(code)
        return found.category if found else "other"

    def label(self, code: str) -> str:
        found = self.by_code.get(code)
        return found.label if found else code  # a retired code keeps its code as its label


@cache
def load_catalogue(policies_dir: Path) -> Catalogue:
    """Read once per process; a bad line stops start-up rather than losing ratings later."""
    lines = (policies_dir / FILE_NAME).read_text().splitlines()
    rows = csv.DictReader(line for line in lines if line.strip() and not line.startswith("#"))
    factors = []
    for row in rows:
        if row["scope"] not in SCOPES or not row["code"].strip() or row["category"] not in CATEGORIES:
            raise ValueError(f"{FILE_NAME}: bad line {row}")
        factors.append(Factor(row["scope"], row["code"].strip(), row["label"].strip(), row["category"]))
    codes = [factor.code for factor in factors]
    if len(codes) != len(set(codes)):
        raise ValueError(f"{FILE_NAME}: a code appears twice")
    return Catalogue(tuple(factors))
