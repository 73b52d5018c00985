"""The pytest plugin's public names: fixture types and assertion helpers for annotations and imports.

The plugin itself is registered through the ``pytest11`` entry point from the top-level module
``_guardkit_pytestplugin``, so that pytest runs which do not use guardkit never import the package. Do not
list this module in ``pytest_plugins``: the entry point already loads the plugin.
"""

from _guardkit_pytestplugin import __all__ as _names
from _guardkit_pytestplugin import __getattr__  # noqa: F401 - module-level lazy attributes

__all__ = list(_names)
