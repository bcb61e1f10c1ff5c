"""README's layout section names every top-level folder and every package of `server/`, and nothing else,
so that it cannot drift from the tree."""

from __future__ import annotations

import re
import subprocess

from server.config import REPO_ROOT

ROW = re.compile(r"^\| `(?P<folder>[^`]+)/` \|", re.MULTILINE)


def layout_rows() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return ROW.findall(section)


def top_level_folders() -> set[str]:
    """Folders at the root holding a file git tracks or would track (ignored ones, such as .venv, are not)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607 (git on PATH)
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {path.split("/", 1)[0] for path in listed if "/" in path}


def server_packages() -> set[str]:
    return {path.parent.name for path in (REPO_ROOT / "server").glob("*/__init__.py")}


def test_the_layout_names_every_top_level_folder_and_no_other():
    # given the folders of the tree and the rows of README's layout section
    rows = layout_rows()
    named = {row for row in rows if "/" not in row}

    # then each top-level folder has its row, and each row of that kind is a folder
    assert named == top_level_folders(), (
        f"missing from README's layout: {sorted(top_level_folders() - named)};"
        f" named but not in the tree: {sorted(named - top_level_folders())}"
    )


def test_the_layout_names_every_package_of_server_and_no_other():
    # given the packages under server/ and the rows of README's layout section
    rows = layout_rows()
    named = {row.removeprefix("server/") for row in rows if row.startswith("server/")}

    # then each package has its row, and each such row is a package
    assert named == server_packages(), (
        f"missing from README's layout: {sorted(server_packages() - named)};"
        f" named but not a package: {sorted(named - server_packages())}"
    )
    # and every row is a top-level folder or a package of server/, once
    assert all("/" not in row or row.startswith("server/") for row in rows), rows
    assert len(rows) == len(set(rows)), rows
