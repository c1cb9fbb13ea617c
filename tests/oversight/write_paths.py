"""Finds writes that would change a tracked model's rows without django-simple-history
seeing them: ``update()``, ``bulk_update()``, ``bulk_create()`` and ``delete()`` on a
queryset of a model that has ``history`` (or on its history rows), and SQL that writes to
a tracked or history table. Saving or deleting an instance, and simple-history's own
``bulk_create_with_history`` / ``bulk_update_with_history``, record history and are not
findings.

It reads the source (``ast``), so it knows querysets by how they are written:
``Referral.objects...``, ``Model._default_manager...``, ``<anything>.history...``, a
related manager named after a tracked model's reverse accessor (``referral.notes``), and
a name assigned one of those in the same function. Its tables and names come from the
app registry, so a model that gains history is covered without a change here.

What it cannot name it does not take as safe: a manager reached through a model held in
a name (``model._base_manager``, ``history.objects``, ``self.model.objects``: the model
is whatever the code passes) counts as tracked, and Django's private ``_raw_delete()``
and ``_update()``, which send no signal at all, are findings on anything but a queryset
of a model named here and untracked (``AccessLog.objects...``). So a helper that deletes
rows of whatever model it is given (oversight/erasure.py's) is found, and allowed or not
by name in tests/oversight/test_write_paths.py.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

WRITES = {"update", "bulk_update", "bulk_create", "delete", "_raw_delete", "_update"}
# Django's private writes: no signal, no history, whatever the model.
PRIVATE_WRITES = {"_raw_delete", "_update"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Calls that turn a queryset into one object (whose ``delete()`` records history).
TO_INSTANCE = {
    "get",
    "first",
    "last",
    "latest",
    "earliest",
    "create",
    "get_or_create",
    "update_or_create",
    "in_bulk",
    "count",
    "exists",
}
SQL_WRITE = re.compile(
    r"\b(?:update|delete\s+from|insert\s+into|truncate(?:\s+table)?)\s+[\"'`]?(\w+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Tracked:
    names: frozenset[str]  # class names of tracked models and of their history models
    accessors: frozenset[str]  # related managers that reach a tracked model's rows
    tables: frozenset[str]  # tables of tracked models and of their history models


@dataclass(frozen=True)
class Finding:
    path: str
    scope: str  # the enclosing function, or <module>
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.scope}: {self.what}"


def tracked_from_registry() -> Tracked:
    from django.apps import apps

    def has_history(model) -> bool:
        return getattr(model._meta, "simple_history_manager_attribute", None) is not None

    tracked = [m for m in apps.get_models() if has_history(m)]
    histories = [getattr(m, m._meta.simple_history_manager_attribute).model for m in tracked]
    accessors = {m._meta.simple_history_manager_attribute for m in tracked}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (field.one_to_many or field.many_to_many) and field.related_model in tracked:
                if field.auto_created:  # a reverse relation: ``referral.notes``
                    accessors.add(field.get_accessor_name())
                else:
                    accessors.add(field.name)
    return Tracked(
        names=frozenset(m.__name__ for m in tracked + histories),
        accessors=frozenset(accessors),
        tables=frozenset(m._meta.db_table for m in tracked + histories),
    )


class _Checker(ast.NodeVisitor):
    def __init__(self, tracked: Tracked, path: str) -> None:
        self.tracked = tracked
        self.path = path
        self.scopes: list[str] = ["<module>"]
        self.querysets: list[set[str]] = [set()]
        self.findings: list[Finding] = []

    # --- scopes and the names that hold a tracked queryset in them ---

    def _enter(self, node) -> None:
        self.scopes.append(node.name)
        names: set[str] = set()
        self.querysets.append(names)
        # Parameters annotated as a tracked model's queryset: ``referrals: QuerySet[Referral]``.
        for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
            if arg.annotation is not None and self._annotated_queryset(arg.annotation):
                names.add(arg.arg)
        # To a fixed point: ``qs = Referral.objects.all()`` then ``open_ = qs.filter()``.
        assignments = [
            n for n in ast.walk(node) if isinstance(n, ast.Assign | ast.AnnAssign) and n.value
        ]
        while True:
            before = len(names)
            for assignment in assignments:
                if self._is_tracked_queryset(assignment.value):
                    targets = (
                        assignment.targets
                        if isinstance(assignment, ast.Assign)
                        else [assignment.target]
                    )
                    names.update(t.id for t in targets if isinstance(t, ast.Name))
            if len(names) == before:
                break
        self.generic_visit(node)
        self.scopes.pop()
        self.querysets.pop()

    visit_FunctionDef = _enter
    visit_AsyncFunctionDef = _enter

    # --- what is a queryset of a tracked model ---

    def _named_tracked(self, node) -> bool:
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        return name in self.tracked.names

    @staticmethod
    def _model_held_in_a_name(node) -> bool:
        """``model`` in ``model._base_manager``, ``self.model`` in ``self.model.objects``:
        not a class named in the source (classes are capitalised), so any model at all."""
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        return name is None or not name[:1].isupper()

    def _untracked_queryset(self, node) -> bool:
        """A queryset of a model named in the source that has no history."""
        while True:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                node = node.func.value
            elif isinstance(node, ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Attribute):
                if node.attr in MANAGERS:
                    return not (
                        self._named_tracked(node.value) or self._model_held_in_a_name(node.value)
                    )
                if node.attr == "history" or node.attr in self.tracked.accessors:
                    return False
                node = node.value
            else:
                return False

    def _annotated_queryset(self, annotation) -> bool:
        words = set(re.findall(r"\w+", ast.unparse(annotation)))
        return bool(words & {"QuerySet", "Manager"}) and bool(words & self.tracked.names)

    def _is_tracked_queryset(self, node) -> bool:
        while True:
            if isinstance(node, ast.Call):
                func = node.func
                if not isinstance(func, ast.Attribute) or func.attr in TO_INSTANCE:
                    return False
                node = func.value
            elif isinstance(node, ast.Attribute):
                if node.attr in MANAGERS:
                    return self._named_tracked(node.value) or self._model_held_in_a_name(node.value)
                if node.attr in self.tracked.accessors:
                    return True
                node = node.value
            elif isinstance(node, ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Name):
                return node.id in self.querysets[-1]
            else:
                return False

    # --- the findings ---

    def _find(self, node, what: str) -> None:
        self.findings.append(Finding(self.path, self.scopes[-1], node.lineno, what))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITES:
            if self._is_tracked_queryset(func.value):
                self._find(node, f".{func.attr}() on a tracked queryset: {ast.unparse(func)}")
            elif func.attr in PRIVATE_WRITES and not self._untracked_queryset(func.value):
                self._find(node, f".{func.attr}() on a queryset of any model: {ast.unparse(func)}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            for match in SQL_WRITE.finditer(node.value):
                if match.group(1).lower() in self.tracked.tables:
                    self._find(node, f"SQL writes to {match.group(1)}: {match.group(0)!r}")


def check_source(source: str, tracked: Tracked, path: str = "<string>") -> list[Finding]:
    checker = _Checker(tracked, path)
    checker.visit(ast.parse(source))
    return checker.findings


APPS = (
    "core",
    "agencies",
    "audit",
    "notices",
    "referrals",
    "triage",
    "reporting",
    "oversight",
    "demo",
    "frontdoor",
)
SKIPPED = {"migrations", "tests", "bench"}


def application_files(root: Path) -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if not SKIPPED & set(path.relative_to(root).parts):
                files.append(path)
    return files


def check_application(root: Path, tracked: Tracked) -> list[Finding]:
    findings = []
    for path in application_files(root):
        relative = str(path.relative_to(root))
        findings += check_source(path.read_text(), tracked, relative)
    return findings
