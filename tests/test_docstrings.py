"""What the API page promises about errors: a function that raises anything
but a TypeError or ValueError lists it under ``Raises:`` in its docstring."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGUMENT_ERRORS = {"TypeError", "ValueError"}


def _raised_names(function):
    """Names of the exceptions ``function`` raises itself (not re-raises)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name):
                yield exc.id


def test_other_errors_are_documented_under_raises():
    undocumented = []
    for path in sorted((ROOT / "lstm_recipes").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            docstring = ast.get_docstring(function) or ""
            raises = docstring.partition("Raises:")[2]
            for name in set(_raised_names(function)) - ARGUMENT_ERRORS:
                if name[0].isupper() and f"{name}:" not in raises:
                    undocumented.append(f"{path.name}:{function.name} {name}")
    assert not undocumented, (
        "list these under Raises: in the docstring: " + ", ".join(undocumented)
    )
