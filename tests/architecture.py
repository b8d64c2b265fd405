"""The import-linter contract for totalplace's layout (run by the README's test command).

One capability per folder (`src/totalplace/<capability>/`), named the same way inside:
rules (pure), files and tables, service, and the doors (web, commands). Data flows one
way, and capabilities meet only at each other's services (and pure rules):

- `core` imports no capability (the registry finds them at run time, by name);
- inside a capability: doors import only its services; services anything but doors;
  tables and files its rules; rules only rules;
- across capabilities: only the other's `service` (from services and doors) or its
  `rules` (from rules, files and services);
- rules import from core only money, years, problems and reference data; doors never
  the store.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, output

# Imports that cross the lines on purpose, each with its reason.
DELIBERATE = {
    (
        "totalplace.places.files.package",
        "totalplace.count.files.lines",
    ): "the package's returns resource is the count's returns format, read with its checks",
}

RANK = {"rules": 0, "files": 1, "tables": 1, "service": 2, "web": 3, "commands": 3}
# A capability's demo.py adds its part of the demo place through its own service.
RANK["demo"] = 2
DOORS = {"web", "commands"}
RULES_MAY_USE = (
    "totalplace.core.money",
    "totalplace.core.years",
    "totalplace.core.problems",
    "totalplace.core.reference",  # the reference data's own types (COFOG, SeRCOP)
)


def _place(module: str) -> tuple[str, str]:
    """(capability or 'core', layer) of a module of totalplace."""
    parts = module.split(".")
    capability = parts[1] if len(parts) > 1 else ""
    layer = parts[2] if len(parts) > 2 else "__init__"
    return capability, layer


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def judge(importer: str, imported: str) -> str | None:
    """Why this import breaks the layout, or None when it keeps it."""
    if (importer, imported) in DELIBERATE:
        return None
    if imported == "totalplace" or importer == "totalplace":
        return None  # the library door (totalplace/__init__) re-exports services
    source, layer = _place(importer)
    target, target_layer = _place(imported)
    if source == "core":
        if target != "core":
            return "core imports no capability"
        return None
    if layer == "__init__":
        return (
            None
            if imported == "totalplace.core.registry"
            else "a capability's __init__ only registers it"
        )
    if target == "core":
        if layer == "rules" and not _under(imported, RULES_MAY_USE):
            return "rules import from core only money, years and problems"
        if layer in DOORS and _under(imported, ("totalplace.core.store",)):
            return "doors never import the store: call a service"
        return None
    if target_layer not in RANK:
        return f"{imported} is not one of a capability's parts"
    if source == target:
        if layer in DOORS:
            ok = target_layer == "service" or target_layer == layer
            return None if ok else "doors import only their capability's services"
        if target_layer in DOORS:
            return "nothing below the doors imports them"
        if layer == "rules" and target_layer != "rules":
            return "rules import only rules"
        if RANK[target_layer] > RANK[layer]:
            return f"{layer} may not import {target_layer} (data flows one way)"
        return None
    if target_layer == "service" and layer in ("service", *DOORS):
        return None
    if target_layer == "rules" and layer in ("rules", "files", "service"):
        return None
    return (
        "capabilities meet only at each other's services: "
        f"{source}.{layer} uses {target}.{target_layer}"
    )


class CapabilityContract(Contract):
    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        broken = []
        for importer in sorted(graph.modules):
            if not importer.startswith("totalplace"):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if not imported.startswith("totalplace"):
                    continue
                reason = judge(importer, imported)
                if reason is not None:
                    broken.append(f"{importer} -> {imported}: {reason}")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["broken"]:
            output.print_error(line)
            output.new_line()
