"""totalplace: count, understand and change all public spending in a place, together.

The library door: the same service functions the CLI and the web workspace call.
"""

from totalplace.services.counting import count_place
from totalplace.services.packages import export_package, import_package
from totalplace.services.returns import import_return

__all__ = ["count_place", "export_package", "import_package", "import_return"]
__version__ = "0.1.0"
