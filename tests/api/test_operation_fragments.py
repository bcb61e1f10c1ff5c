"""Fragments of graphql/operations/: each file is validated and sent whole, so an operation that reads
several domains at once (a family sub-page's data, web/js/pages/family.js) carries a copy of a fragment
from another file. A copy must stay the same as the fragment of that name in its own file, or a sub-page
would read different fields from the section's own operation."""

from __future__ import annotations

from collections import defaultdict

from graphql import FragmentDefinitionNode, parse, print_ast

from tests.graphql_client import OPERATIONS_DIR


def test_a_fragment_copied_into_another_file_matches_its_original():
    texts: dict[str, set[str]] = defaultdict(set)
    files: dict[str, list[str]] = defaultdict(list)
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, FragmentDefinitionNode):
                texts[definition.name.value].add(print_ast(definition))
                files[definition.name.value].append(path.name)
    copied = {name for name, where in files.items() if len(where) > 1}
    assert {"FamilyCoverFields", "OverrideFields", "LegalStatusChangeFields", "FollowUpFields"} <= copied
    differing = {name: files[name] for name in copied if len(texts[name]) > 1}
    assert differing == {}, f"copies of these fragments differ from their originals: {differing}"
