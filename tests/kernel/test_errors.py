"""The one exception tree: every class in kernel/errors.py is drawn in its docstring, under
its real parent (as httpx draws every class in `_exceptions.py`)."""

from __future__ import annotations

import inspect
import re

from kernel import errors


def _classes() -> dict[str, type[BaseException]]:
    return {
        name: obj
        for name, obj in vars(errors).items()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    }


def _drawn_parents() -> dict[str, str | None]:
    """Each class of the drawing and the class one level of indentation above it."""
    doc = errors.__doc__ or ""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        match = re.match(r"^(\s*(?:[│ ]*)(?:[├└]── )?)([A-Z]\w+)\b", line)
        if not match or not line.startswith("    "):
            continue
        depth, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def test_every_error_class_is_drawn_under_its_parent() -> None:
    drawn = _drawn_parents()
    classes = _classes()
    assert set(classes) == set(drawn), set(classes) ^ set(drawn)
    for name, cls in classes.items():
        parent = cls.__bases__[0].__name__
        expected = None if parent == "Exception" else parent
        assert drawn[name] == expected, f"{name} is drawn under {drawn[name]}, not {expected}"
