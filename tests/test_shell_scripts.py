"""Every shell script the repository holds (CI's own, the operator's and the benchmark's)
is valid and shellcheck-clean: they run where a mistake is found late (CI on a clean
machine, a production smoke check, an operator's certificates). Found by the script's
first line, so a new script is checked without being listed here. Skipped where
shellcheck is missing; `.ci/run` installs it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def shell_scripts() -> list[str]:
    tracked = subprocess.run(  # noqa: S603 - git, our own arguments
        [shutil.which("git") or "git", "ls-files"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as file:
            first = file.readline(200)
        if first.startswith(b"#!") and (b"bash" in first or first.rstrip().endswith(b"/sh")):
            found.append(name)
    return found


def test_the_scripts_are_found():
    scripts = shell_scripts()
    assert {".ci/run", "scripts/production-smoke", "bench/crosscheck"} <= set(scripts)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("script", shell_scripts())
def test_the_script_is_shellcheck_clean(script):
    result = subprocess.run(  # noqa: S603 - shellcheck, a script of ours
        [shutil.which("shellcheck"), script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
