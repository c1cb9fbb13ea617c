"""Reads a pip-audit or npm audit JSON report for scripts/dependency-audit.

    python3 scripts/audit_report.py pip|npm REPORT.json

Exit 0: audited, nothing known; 1: a known vulnerability (each printed); 4: the
vulnerability database was not reached (no report, an error report, or every package
skipped as "not found"), which is never a pass.
"""

from __future__ import annotations

import json
import sys

CLEAN, VULNERABLE, UNREACHABLE = 0, 1, 4


def pip_audit(report: dict) -> tuple[int, list[str]]:
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    lines = [
        f"VULNERABLE {d['name']} {d['version']}: {v['id']} "
        f"(fixed in {', '.join(v.get('fix_versions') or []) or 'no release yet'})"
        for d in deps
        for v in d.get("vulns", [])
    ]
    if lines:
        return VULNERABLE, lines
    if not deps or len(skipped) == len(deps):
        return UNREACHABLE, ["no package could be looked up"]
    lines = [f"not audited: {d['name']}: {d['skip_reason']}" for d in skipped]
    lines.append(f"{len(deps) - len(skipped)} packages audited, no known vulnerability")
    return CLEAN, lines


def npm_audit(report: dict) -> tuple[int, list[str]]:
    if "error" in report or "statusCode" in report or "metadata" not in report:
        return UNREACHABLE, [str(report.get("message") or report.get("error"))[:200]]
    lines = [
        f"VULNERABLE {name} ({v.get('severity')}): {v.get('range')}"
        for name, v in sorted(report.get("vulnerabilities", {}).items())
    ]
    if lines or report["metadata"].get("vulnerabilities", {}).get("total", 0):
        return VULNERABLE, lines or ["npm audit counts a vulnerability"]
    total = report["metadata"].get("dependencies", {}).get("total", "?")
    return CLEAN, [f"{total} packages audited, no known vulnerability"]


def main(argv: list[str]) -> int:
    kind, path = argv[1], argv[2]
    try:
        with open(path, encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError):
        print("  no report could be read")
        return UNREACHABLE
    code, lines = (pip_audit if kind == "pip" else npm_audit)(report)
    for line in lines:
        print(f"  {line}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
