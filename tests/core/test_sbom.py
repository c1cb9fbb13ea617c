"""The SBOMs kept in sbom/ (`make sbom`, ASVS 14.2.5) list every locked package at its
locked version and nothing else: change requirements.lock or package-lock.json without
running `make sbom` and these fail."""

import base64
import importlib.util
import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "sbom_check.py"
spec = importlib.util.spec_from_file_location("sbom_check", SCRIPT)
sbom_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sbom_check)

LOCK = (ROOT / "requirements.lock").read_text()
PACKAGE_LOCK = json.loads((ROOT / "package-lock.json").read_text())


def kept(name: str) -> dict:
    return json.loads((ROOT / "sbom" / f"{name}.cdx.json").read_text())


def test_the_python_sbom_lists_every_locked_package_at_its_locked_version():
    sbom = kept("python")

    assert sbom["bomFormat"] == "CycloneDX"
    assert sbom_check.python_drift(sbom, LOCK) == []
    assert len(sbom["components"]) >= len(sbom_check.locked_python(LOCK)) > 80
    for component in sbom["components"]:
        name = sbom_check._pypi_name(component["name"])
        assert component["purl"] == f"pkg:pypi/{name}@{component['version']}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    root = sbom["metadata"]["component"]
    assert (root["name"], root["version"]) == (project["name"], project["version"])


def test_the_npm_sbom_lists_every_locked_package_with_its_integrity_hash():
    sbom = kept("npm")
    locked = sbom_check.locked_npm(PACKAGE_LOCK)

    assert sbom["bomFormat"] == "CycloneDX"
    assert sbom_check.npm_drift(sbom, PACKAGE_LOCK) == []
    assert len(locked) > 20
    integrity = {
        path.rsplit("node_modules/", 1)[1]: entry["integrity"]
        for path, entry in PACKAGE_LOCK["packages"].items()
        if path
    }
    for component in sbom["components"]:
        algorithm, digest = integrity[component["name"]].split("-", 1)
        assert algorithm == "sha512"
        assert component["hashes"] == [
            {"alg": "SHA-512", "content": base64.b64decode(digest).hex()}
        ]
    package = json.loads((ROOT / "package.json").read_text())
    root = sbom["metadata"]["component"]
    assert (root["name"], root["version"]) == (package["name"], package["version"])
    assert "serialNumber" not in sbom and "timestamp" not in sbom["metadata"]


# --- The check itself finds a drift ---------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (
            lambda lock: lock.replace("Django==5.2.19", "Django==5.2.20"),
            ["django is 5.2.19 in the SBOM but 5.2.20 in the lock"],
        ),
        (
            lambda lock: lock + "left-pad==1.0.0\n",
            ["left-pad 1.0.0 is locked but not in the SBOM"],
        ),
    ],
)
def test_a_python_lock_changed_without_the_sbom_is_a_drift(change, found):
    assert "Django==5.2.19" in LOCK, "the lock no longer pins this Django: change the test"

    assert sbom_check.python_drift(kept("python"), change(LOCK)) == found


def test_a_package_in_the_sbom_that_no_lock_has_is_a_drift():
    sbom = kept("python")
    sbom["components"].append({"name": "requests-oauthlib", "version": "2.0.0"})
    npm = kept("npm")
    npm["components"] = npm["components"][1:]
    first = sorted(sbom_check.locked_npm(PACKAGE_LOCK))[0]

    assert sbom_check.python_drift(sbom, LOCK) == [
        "requests-oauthlib 2.0.0 is in the SBOM but not in the lock"
    ]
    assert sbom_check.npm_drift(npm, PACKAGE_LOCK) == [
        f"{first} {sbom_check.locked_npm(PACKAGE_LOCK)[first]} is locked but not in the SBOM"
    ]


def test_only_the_venvs_own_installers_may_be_unlocked():
    unlocked = {
        sbom_check._pypi_name(c["name"])
        for c in kept("python")["components"]
        if sbom_check._pypi_name(c["name"]) not in sbom_check.locked_python(LOCK)
    }

    assert unlocked <= {"pip", "setuptools", "wheel"}
