"""The import structure holds: no import cycle, no project import hidden in a function, no module
too long to read, and the layers of pyproject.toml's [tool.importlinter] contracts.

The project's packages are the root packages named there (the layered apps) and bench, which
stands outside the layers; tests and migrations are never checked.
"""

import ast
import io
import subprocess
import sys
import tokenize
import tomllib
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LAYERED = tuple(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
)
PROJECT = (*LAYERED, "bench")
# An import of any of these (or a relative one) is a project import.
FIRST_PARTY = frozenset({*PROJECT, "tests"})
MAX_LINES = 400
# The word that marks a function-level import as deliberate (start-up cost, Django's setup order).
DELIBERATE = "start-up"


def existing_packages() -> list[str]:
    """The project's packages present now. An app the layers name but nobody has made yet is
    the contracts test's failure; the other tests check what exists."""
    return [name for name in PROJECT if (ROOT / name / "__init__.py").is_file()]


def is_migration(module_or_path: str) -> bool:
    return "migrations" in module_or_path.replace("/", ".").split(".")


def project_files() -> Iterator[Path]:
    for package in existing_packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            if not is_migration(str(path.relative_to(ROOT))):
                yield path


# Import cycles -----------------------------------------------------------------------------


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion: every set of modules that reach one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(sorted(graph[start])))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(sorted(component))
    return found


def one_loop(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest way round the component from its first module back to it, to show one import
    chain to break."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(graph[node] & members):
            if successor == start:
                loop = [node]
                while loop[-1] != start:
                    loop.append(came_from[loop[-1]])
                return [start, *reversed(loop[:-1]), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    raise AssertionError(f"{start} is in a cycle but no way leads back to it")


def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(*existing_packages(), cache_dir=None)
    modules = {module for module in graph.modules if not is_migration(module)}
    return {module: graph.find_modules_directly_imported_by(module) & modules for module in modules}


def test_no_import_cycle():
    graph = import_graph()
    cycles = [component for component in strongly_connected(graph) if len(component) > 1]
    described = [
        f"- {', '.join(component)}\n  e.g. {' -> '.join(one_loop(graph, component))}"
        for component in cycles
    ]
    assert not cycles, (
        f"{len(cycles)} import cycle(s); each line names modules that import one another:\n"
        + "\n".join(described)
    )


# Imports inside functions ------------------------------------------------------------------


def comment_lines(source: str) -> set[int]:
    """The lines whose comment mentions start-up."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {
        token.start[0]
        for token in tokens
        if token.type == tokenize.COMMENT and DELIBERATE in token.string.lower()
    }


def is_project_import(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or node.module.split(".")[0] in FIRST_PARTY
    return any(alias.name.split(".")[0] in FIRST_PARTY for alias in node.names)


def function_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement with a function or method around it, however deep."""
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    pending = [(child, False) for child in ast.iter_child_nodes(tree)]
    while pending:
        node, in_function = pending.pop()
        if in_function and isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        inside = in_function or isinstance(node, functions)
        pending.extend((child, inside) for child in ast.iter_child_nodes(node))


def test_no_project_import_inside_a_function():
    hidden = []
    for path in project_files():
        source = path.read_text()
        marked = comment_lines(source)
        for node in function_imports(ast.parse(source, filename=str(path))):
            lines = range(node.lineno - 1, (node.end_lineno or node.lineno) + 1)
            if is_project_import(node) and not marked.intersection(lines):
                hidden.append((str(path.relative_to(ROOT)), node.lineno, ast.unparse(node)))
    listed = [f"- {path}:{line}: {statement}" for path, line, statement in sorted(hidden)]
    assert not hidden, (
        f"{len(hidden)} project import(s) inside a function: move each to the top of its module "
        f"(or break the cycle it avoids), or say why on its line or the line before it in a "
        f"comment with '{DELIBERATE}':\n" + "\n".join(listed)
    )


# Module size -------------------------------------------------------------------------------


def test_no_module_over_the_line_limit():
    long = [
        (str(path.relative_to(ROOT)), count)
        for path in project_files()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    ]
    listed = [f"- {path}: {count} lines" for path, count in long]
    assert not long, f"{len(long)} module(s) over {MAX_LINES} lines:\n" + "\n".join(listed)


# The layers --------------------------------------------------------------------------------


def test_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        "import-linter's contracts (pyproject.toml [tool.importlinter]) are broken:\n"
        + result.stdout
        + result.stderr
    )
