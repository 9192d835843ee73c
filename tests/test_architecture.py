"""One direction of data: the SD core never imports the agents, the agents never import the SD core (only the
coupling sees both; they share the types of dezsim.model.exchange), no import cycles among dezsim's modules (hidden
function-level imports included), and analysis modules do not reach back into the model's internals."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dezsim"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every dezsim module ``path`` imports, at module level or inside functions (``from pkg import mod``
    resolved to the submodule)."""
    names = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in [n for n in ast.walk(tree) if isinstance(n, ast.If) and _is_type_checking(n.test)]:
        block.body = []  # imports for annotations only are never executed: no runtime dependency
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(folder: str) -> set[str]:
    return set().union(*(imports_of(p) for p in (PACKAGE / folder).rglob("*.py")))


def graph() -> dict[str, set[str]]:
    """Module -> dezsim modules it imports; packages' __init__ are left out (Python imports a module's parent
    package anyway, so an edge to it is no dependency of the module's own making)."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    packages = {module_name(p) for p in PACKAGE.rglob("__init__.py")}
    modules = set(paths) - packages
    return {m: {n for n in imports_of(paths[m]) if n in modules and n != m} for m in modules}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_sd_core_does_not_import_the_agents():
    assert not {m for m in imports("model/sd") if m.startswith(("dezsim.model.abm", "dezsim.model.coupling", "mesa"))}


def test_agents_do_not_import_the_sd_core():
    assert not {m for m in imports("model/abm") if m.startswith(("dezsim.model.sd", "dezsim.model.coupling", "dezsim.model.simulate"))}


def test_no_import_cycles_among_dezsim_modules():
    assert cycles(graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_exchange_types_depend_on_neither_side():
    assert not {m for m in imports_of(PACKAGE / "model" / "exchange.py") if m.startswith(("dezsim.model.sd", "dezsim.model.abm"))}


def test_agent_kernel_cache_is_keyed_to_the_rule():
    """numba's on-disk cache of the kernel only notices edits of kernel.py itself: kernel.py records the digest
    of the files its compiled callees live in, so editing them forces an edit (and a recompile) of the kernel."""
    from dezsim.model.abm import kernel

    files = [PACKAGE / "model" / name for name in kernel.RULE_FILES]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    assert kernel.RULE_DIGEST == digest, f"update RULE_DIGEST in dezsim/model/abm/kernel.py to {digest!r}"


def test_sd_kernel_cache_is_keyed_to_the_generated_derivative():
    """As for the agents: the SD loops are cached on disk, and kernel.py records the digest of the generated
    derivative they call, so ``dezsim equations --write`` forces an edit (and a recompile) of the loops."""
    from dezsim.model.sd import kernel

    files = [PACKAGE / "model" / name for name in kernel.GENERATED_FILES]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    assert kernel.GENERATED_DIGEST == digest, f"update GENERATED_DIGEST in dezsim/model/sd/kernel.py to {digest!r}"


def test_nothing_runs_on_import():
    import subprocess
    import sys

    code = "import sys, dezsim; print(sorted(m for m in ('numba', 'sympy', 'mesa', 'dask') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert importlib.util.find_spec("dezsim.model.exchange") is not None


def test_no_two_cached_kernels_share_a_function():
    """numba's on-disk cache is keyed by the Python function (file, line, name): two dispatchers cached from one
    function (say a parallel and a serial compilation) share a cache entry, and a later process loads the first
    one written for both. Every cached kernel of the package must therefore wrap its own function."""
    import importlib

    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    seen = {}
    for module in ("dezsim.model.abm.kernel", "dezsim.model.sd.kernel", "dezsim.model.abm.rule",
                   "dezsim.model.abm.population"):
        for name, obj in vars(importlib.import_module(module)).items():
            if isinstance(obj, CPUDispatcher) and not isinstance(obj._cache, NullCache):
                code = obj.py_func.__code__
                key = (code.co_filename, code.co_firstlineno, code.co_name)
                assert key not in seen or seen[key] is obj, f"{module}.{name} and {seen[key].__name__} share {key}"
                seen[key] = obj
    assert len(seen) > 10  # the scan found the kernels


def test_the_report_loads_neither_sympy_nor_mesa(tmp_path):
    """sympy (the declarations, the numpy reference engine, codegen) and Mesa (the reference agent engine) take
    about a second to import; the report, like every run of the default engines, needs neither: the generated
    kernel file carries the names and the outputs it needs."""
    code = ("import sys\nfrom dezsim.outputs.report import build\n"
            f"build(out={str(tmp_path / 'r')!r}, runs=10, lever_runs=10)\n"
            "print(sorted(m for m in ('sympy', 'mesa') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]", out
