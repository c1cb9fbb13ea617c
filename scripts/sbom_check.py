"""Finishes and checks the CycloneDX SBOMs that scripts/sbom makes (ASVS 14.2.5).

    python scripts/sbom_check.py RAW_PYTHON.json RAW_NPM.json OUT_DIR

Writes OUT_DIR/python.cdx.json and OUT_DIR/npm.cdx.json, each validated against its
CycloneDX schema (cyclonedx-python-lib, in scripts/sbom's venv of its own), after
making npm's reproducible (no serial number or time, which change at every run; the
root named as package.json names it, not after the checkout's folder). Exit 1 when an
SBOM does not list every locked package at its locked version, or lists one the lock
does not have: the SBOM and the locks have drifted apart.

The checks (``python_drift``, ``npm_drift``) need only the standard library:
tests/core/test_sbom.py runs them over the committed SBOMs in sbom/.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The venv's own installers, which pip freeze (and so requirements.lock) leaves out:
# pip, and setuptools, which prpc-python (the census validator's) needs at run time.
# They are listed at the versions installed, and are the only unlocked names allowed.
UNLOCKED_INSTALLERS = frozenset({"pip", "setuptools", "wheel"})


def _pypi_name(name: str) -> str:
    """PEP 503's normalised name: Django and django, factory_boy and factory-boy."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_python(lock_text: str) -> dict[str, str]:
    pins = {}
    for line in lock_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_pypi_name(name)] = version.strip()
    return pins


def locked_npm(package_lock: dict) -> dict[str, str]:
    """Every package in package-lock.json (lockfile version 2 or 3), nested ones too,
    by name and version; the root project itself is not one."""
    return {
        path.rsplit("node_modules/", 1)[1]: entry["version"]
        for path, entry in package_lock["packages"].items()
        if path and not entry.get("link")
    }


def _components(sbom: dict) -> list[tuple[str, str]]:
    return [(c["name"], c.get("version", "")) for c in sbom.get("components", [])]


def _drift(listed: list[tuple[str, str]], locked: dict[str, str], allowed: frozenset) -> list:
    problems = []
    seen = dict(listed)
    for name, version in sorted(locked.items()):
        if name not in seen:
            problems.append(f"{name} {version} is locked but not in the SBOM")
        elif seen[name] != version:
            problems.append(f"{name} is {seen[name]} in the SBOM but {version} in the lock")
    problems += [
        f"{name} {version} is in the SBOM but not in the lock"
        for name, version in listed
        if name not in locked and name not in allowed
    ]
    if len(seen) != len(listed):
        problems.append("the SBOM lists a package twice")
    return problems


def python_drift(sbom: dict, lock_text: str) -> list[str]:
    """What differs between the Python SBOM and requirements.lock (empty: nothing)."""
    listed = [(_pypi_name(name), version) for name, version in _components(sbom)]
    return _drift(listed, locked_python(lock_text), UNLOCKED_INSTALLERS)


def npm_drift(sbom: dict, package_lock: dict) -> list[str]:
    """What differs between the npm SBOM and package-lock.json (empty: nothing)."""
    return _drift(_components(sbom), locked_npm(package_lock), frozenset())


def reproducible_npm(sbom: dict, package_json: dict) -> dict:
    """npm sbom's output without what changes from run to run or checkout to checkout."""
    sbom = dict(sbom)
    sbom.pop("serialNumber", None)
    metadata = dict(sbom.get("metadata", {}))
    metadata.pop("timestamp", None)
    if "component" in metadata:
        metadata["component"] = {**metadata["component"], "name": package_json["name"]}
    sbom["metadata"] = metadata
    return sbom


def _validate(text: str, spec_version: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    version = SchemaVersion.from_version(spec_version)
    error = JsonStrictValidator(version).validate_str(text)
    if error is not None:
        raise SystemExit(f"sbom: not valid CycloneDX {spec_version}: {error}")


def main(raw_python: str, raw_npm: str, out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    python_sbom = json.loads(Path(raw_python).read_text())
    npm_sbom = reproducible_npm(
        json.loads(Path(raw_npm).read_text()),
        json.loads((ROOT / "package.json").read_text()),
    )
    problems = []
    for name, sbom, drift in (
        (
            "python",
            python_sbom,
            python_drift(python_sbom, (ROOT / "requirements.lock").read_text()),
        ),
        (
            "npm",
            npm_sbom,
            npm_drift(npm_sbom, json.loads((ROOT / "package-lock.json").read_text())),
        ),
    ):
        text = json.dumps(sbom, indent=2, sort_keys=True) + "\n"
        _validate(text, sbom["specVersion"])
        (out / f"{name}.cdx.json").write_text(text)
        problems += [f"{name}: {problem}" for problem in drift]
        print(f"sbom: {out / f'{name}.cdx.json'}: {len(sbom['components'])} components")
    for problem in problems:
        print(f"sbom: DRIFT {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
