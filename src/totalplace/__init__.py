"""totalplace: count, understand and change all public spending in a place, together.

The library door: the same service functions the CLI and the web workspace call.
"""

from totalplace.count.service.counting import count_place
from totalplace.count.service.returns import import_return
from totalplace.places.service.packages import export_package, import_package

__all__ = ["count_place", "export_package", "import_package", "import_return"]
__version__ = "0.1.0"
