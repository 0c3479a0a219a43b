"""Loads the pure-Python cores of the addons without importing Odoo.

Each addon's ``__init__`` imports odoo, so the cores are loaded as
stand-alone packages under their own names (``o2c_pipeline``, ...).
"""

import importlib.util
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = {
    "o2c_pipeline": ROOT / "addons" / "order_to_cash" / "pipeline",
    "einvoice_tools": ROOT / "addons" / "einvoice_vn" / "tools",
    "ar_tools": ROOT / "addons" / "ar_reminders" / "tools",
    "bill_match_tools": ROOT / "addons" / "purchase_bill_match" / "tools",
}
# Test helpers of the addons that do not import odoo, loaded as single modules.
PURE_TEST_MODULES = {
    "einvoice_tests.certs": ROOT / "addons" / "einvoice_vn" / "tests" / "certs.py",
    "einvoice_tests.provider_server": ROOT
    / "addons"
    / "einvoice_vn"
    / "tests"
    / "provider_server.py",
    "einvoice_tests.supplier_invoices": ROOT
    / "addons"
    / "einvoice_vn"
    / "tests"
    / "supplier_invoices.py",
    "einvoice_tests.status_server": ROOT / "addons" / "einvoice_vn" / "tests" / "status_server.py",
    "ar_tests.sms_gateway": ROOT / "addons" / "ar_reminders" / "tests" / "sms_gateway.py",
    "ar_tests.smtp_server": ROOT / "addons" / "ar_reminders" / "tests" / "smtp_server.py",
    "o2c_tests.carrier_servers": ROOT / "addons" / "order_to_cash" / "tests" / "carrier_servers.py",
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


def _load_module(name, path):
    package = name.rpartition(".")[0]
    if package not in sys.modules:
        sys.modules[package] = types.ModuleType(package)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    setattr(sys.modules[package], name.rpartition(".")[2], module)


for _name, _path in PURE_PACKAGES.items():
    _load(_name, _path)
for _name, _path in PURE_TEST_MODULES.items():
    _load_module(_name, _path)
