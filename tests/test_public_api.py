"""The public surface: __all__ is sorted and complete, and objects read as guardkit.X."""

from __future__ import annotations

import guardkit


def test_all_is_sorted_and_complete() -> None:
    """__all__ lists every public name once, sorted, and each exists."""
    def isort_key(name: str) -> tuple[int, str]:  # ruff's RUF022 order: CONSTANTS, Classes, functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert guardkit.__all__ == sorted(guardkit.__all__, key=isort_key)
    assert len(set(guardkit.__all__)) == len(guardkit.__all__)
    public = {n for n in dir(guardkit) if not n.startswith(("_", "@"))} - {"TYPE_CHECKING"}
    modules = {"validators", "sanitizers", "integrations", "config", "cli", "pytest_plugin", "testing",
               "strategies"}
    assert public - modules - {"annotations"} <= set(guardkit.__all__) | modules
    for name in guardkit.__all__:
        assert hasattr(guardkit, name), name


def test_public_objects_report_the_package_module() -> None:
    """Classes and functions exported from guardkit say they live in guardkit."""
    for name in guardkit.__all__:
        obj = getattr(guardkit, name)
        if isinstance(obj, type) or callable(obj):
            assert obj.__module__ == "guardkit", name
