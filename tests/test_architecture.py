"""The layout's rules that import-linter's layers contract cannot state: no module of
ours imports, directly or through others, a module that imports it (no cycles)."""

import grimp

PACKAGES = (
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


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph(*PACKAGES)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            chain = graph.find_shortest_chain(importer=imported, imported=importer)
            if chain:
                cycles.append(" -> ".join((importer, *chain)))

    assert cycles == [], "import cycles:\n" + "\n".join(cycles)
