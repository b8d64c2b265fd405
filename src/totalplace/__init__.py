"""totalplace: count, understand and change all public spending in a place, together.

The library door: the same service functions the CLI and the web workspace call.
They are loaded on first use (PEP 562), so that a CLI command pays only for the
libraries it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from totalplace.count.service.counting import count_place
    from totalplace.count.service.returns import import_return
    from totalplace.places.service.packages import export_package, import_package

_WHERE = {
    "count_place": "totalplace.count.service.counting",
    "import_return": "totalplace.count.service.returns",
    "export_package": "totalplace.places.service.packages",
    "import_package": "totalplace.places.service.packages",
}

__all__ = ["count_place", "export_package", "import_package", "import_return"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'totalplace' has no attribute {name!r}")
