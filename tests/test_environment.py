"""environment.yml (conda) and pyproject.toml (pip) describe the same pinned dependencies."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    env_lines = (ROOT / "environment.yml").read_text().splitlines()
    conda_deps = {m.group(1) for line in env_lines if (m := re.match(r"^\s+- ([A-Za-z0-9_.\-]+==[^\s#]+)", line))}
    assert pip_deps == conda_deps
    assert all("==" in dep for dep in pip_deps), "pin every dependency exactly"
    assert re.search(r"python=3\.11", "\n".join(env_lines)) and project["requires-python"].startswith(">=3.11")
