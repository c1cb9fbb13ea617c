"""scripts/audit_report.py decides whether CI's dependency audit passed: a known
vulnerability fails it, and an unreachable database is never read as a pass."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_report.py"
spec = importlib.util.spec_from_file_location("audit_report", SCRIPT)
audit_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_report)

PIP_VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2", "vulns": []},
        {
            "name": "flask",
            "version": "0.5",
            "vulns": [{"id": "PYSEC-2019-179", "fix_versions": ["1.0"], "aliases": []}],
        },
    ],
    "fixes": [],
}
PIP_CLEAN = {"dependencies": [{"name": "django", "version": "5.2.8", "vulns": []}]}
PIP_OFFLINE = {
    "dependencies": [
        {"name": "amqp", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "vine", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]
}
NPM_VULNERABLE = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "minimist": {"name": "minimist", "severity": "critical", "range": "<1.2.6"}
    },
    "metadata": {"vulnerabilities": {"critical": 1, "total": 1}, "dependencies": {"total": 5}},
}
NPM_CLEAN = {
    "auditReportVersion": 2,
    "vulnerabilities": {},
    "metadata": {"vulnerabilities": {"total": 0}, "dependencies": {"total": 17}},
}
NPM_REFUSED = {
    "message": "405 Method Not Allowed - POST https://registry/-/npm/v1/security/advisories/bulk",
    "statusCode": 405,
}


@pytest.mark.parametrize(
    ("kind", "report", "code"),
    [
        ("pip", PIP_VULNERABLE, audit_report.VULNERABLE),
        ("pip", PIP_CLEAN, audit_report.CLEAN),
        ("pip", PIP_OFFLINE, audit_report.UNREACHABLE),
        ("pip", {"dependencies": []}, audit_report.UNREACHABLE),
        ("npm", NPM_VULNERABLE, audit_report.VULNERABLE),
        ("npm", NPM_CLEAN, audit_report.CLEAN),
        ("npm", NPM_REFUSED, audit_report.UNREACHABLE),
    ],
)
def test_each_report_is_read_as_what_it_says(tmp_path, capsys, kind, report, code):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert audit_report.main(["audit_report.py", kind, str(path)]) == code


def test_a_vulnerability_is_named_with_its_fix(tmp_path, capsys):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(PIP_VULNERABLE))
    audit_report.main(["audit_report.py", "pip", str(path)])
    assert "VULNERABLE flask 0.5: PYSEC-2019-179 (fixed in 1.0)" in capsys.readouterr().out


def test_a_missing_or_broken_report_is_not_a_pass(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("Traceback (most recent call last):")
    assert audit_report.main(["x", "pip", str(broken)]) == audit_report.UNREACHABLE
    assert (
        audit_report.main(["x", "npm", str(tmp_path / "absent.json")]) == audit_report.UNREACHABLE
    )
