"""Refuse to install from a lock file that no longer matches pyproject.toml.

`make install` installs exactly what `requirements.lock` pins. If someone edits a range in
pyproject.toml and forgets `make lock`, the two disagree silently; this check fails first,
naming each requirement the lock does not satisfy.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a fresh virtualenv: only pip's own copy is there yet
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def locked_versions(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def main(lock_name: str) -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = locked_versions(ROOT / lock_name)
    problems = []
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is not in {lock_name}")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{lock_name} pins {name}=={pins[name]}, pyproject wants {text}")
    for problem in problems:
        print(f"lock out of date: {problem}", file=sys.stderr)
    if problems:
        print("run `make lock` and commit the new lock file", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock"))
