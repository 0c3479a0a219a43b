"""Loads the pure-Python cores of the addons without importing Odoo.

Each addon's ``__init__`` imports odoo, so the cores are loaded as
stand-alone packages under their own names (``o2c_pipeline``, ...).
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = {
    "o2c_pipeline": ROOT / "addons" / "order_to_cash" / "pipeline",
    "einvoice_tools": ROOT / "addons" / "einvoice_vn" / "tools",
}


def _load(name, path):
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py", submodule_search_locations=[str(path)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


for _name, _path in PURE_PACKAGES.items():
    _load(_name, _path)
