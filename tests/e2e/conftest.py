import os
import sys
import xmlrpc.client
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))

from odoo_server import OdooServer


@pytest.fixture(scope="session")
def server():
    database = os.environ.get("O2C_E2E_DB")
    if not database:
        raise RuntimeError("O2C_E2E_DB is not set: run the end-to-end tests through bin/test")
    odoo = OdooServer(database).start()
    yield odoo
    odoo.stop()


class XmlRpc:
    def __init__(self, server, login="admin", password="admin"):
        self.db = server.database
        common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(self.db, login, password, {})
        assert self.uid, "admin/admin must log in on the demo database"
        self.password = password
        self.models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )


class Json2:
    def __init__(self, server, key):
        self.url = server.url
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {key}", "X-Odoo-Database": server.database}
        )

    def post(self, model, method, **params):
        return self.session.post(f"{self.url}/json/2/{model}/{method}", json=params, timeout=60)

    def call(self, model, method, **params):
        reply = self.post(model, method, **params)
        assert reply.status_code == 200, reply.text
        return reply.json()


@pytest.fixture(scope="session")
def rpc(server):
    return XmlRpc(server)


@pytest.fixture(scope="session", autouse=True)
def main_company(rpc):
    """The demo administrator lands in the Vietnamese demo company (o2c_demo_vn); these
    tests use the main company's demo data (its default reminder policy, Order to Cash's
    demo channels and products): they run in the main company, as before."""
    [main] = rpc.call(
        "ir.model.data",
        "search_read",
        [("module", "=", "base"), ("name", "=", "main_company")],
        ["res_id"],
    )
    rpc.call("res.users", "write", [rpc.uid], {"company_id": main["res_id"]})
    return main["res_id"]


@pytest.fixture(scope="session")
def json2(server):
    return Json2(server, server.api_key())
