"""Packaging: pyproject.toml declares compatible ranges, environment.yml the same ranges, and
requirements.lock the exact versions (inside those ranges) that regenerate the figures."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DECLARED = [Requirement(d) for d in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]]


def _environment_yml() -> list[str]:
    return [line.split(" #")[0].strip()[2:] for line in (ROOT / "environment.yml").read_text().splitlines()
            if line.strip().startswith("- ")]


def _lock() -> dict[str, str]:
    pins = {}
    for n, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;]+)", line.strip())
        assert m, f"requirements.lock line {n}: {line!r} is not an exact pin name==version"
        pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def test_environment_yml_lists_the_same_ranges_as_pyproject():
    entries = _environment_yml()
    conda_pip = {str(Requirement(e)) for e in entries if re.match(r"^[A-Za-z][A-Za-z0-9_.\-]*(\[|[<>=!~])", e) and Requirement(e).name != "python"}
    assert conda_pip == {str(r) for r in DECLARED}
    assert "-c requirements.lock" in entries and "-e ." in entries


def test_python_versions_agree():
    assert PROJECT["requires-python"] == ">=3.11,<3.14"
    assert "python>=3.11,<3.14" in _environment_yml()
    supported = SpecifierSet(PROJECT["requires-python"])
    assert all(f"3.{minor}" in supported for minor in (11, 12, 13)) and "3.14" not in supported


def test_dependencies_are_ranges_not_pins():
    for req in DECLARED:
        ops = {spec.operator for spec in req.specifier}
        assert ">=" in ops and "==" not in ops, f"{req}: declare a compatible range with a lower bound (exact versions go in requirements.lock)"


def test_lock_pins_every_dependency_inside_its_range():
    lock = _lock()
    assert len(lock) > 100  # the whole resolved set, indirect dependencies included
    names = [(canonicalize_name(r.name), r.specifier) for r in DECLARED] + [("distributed", SpecifierSet())]  # dask[distributed]
    for name, spec in names:
        assert name in lock, f"requirements.lock has no pin for {name}"
        assert spec.contains(lock[name]), f"requirements.lock pins {name}=={lock[name]}, outside the declared {spec}"
    assert "analysis" not in lock  # the package itself is installed from the checkout


def test_lock_keeps_the_versions_the_committed_figures_were_made_with():
    # Changing one of these changes figure bytes; do it with `make lock` and regenerate the figures.
    lock = _lock()
    assert {k: lock[k] for k in ("numpy", "pandas", "matplotlib", "wordcloud", "mplfonts", "jieba", "rjieba", "scikit-learn")} == {
        "numpy": "2.4.6", "pandas": "3.1.1", "matplotlib": "3.11.2", "wordcloud": "1.9.6", "mplfonts": "0.0.11",
        "jieba": "0.42.1", "rjieba": "0.2.2", "scikit-learn": "1.9.1"}
