from odoo.tests import HttpCase, tagged

from .common import ArCommon


@tagged("post_install", "-at_install")
class TestStatement(ArCommon, HttpCase):
    def test_statement_values_and_public_link(self):
        self._invoice(days_overdue=40, amount=300)
        self._invoice(days_overdue=-5, amount=200)
        values = self.customer._ar_statement_values()
        self.assertEqual(values["total"], 500.0)
        self.assertEqual(values["aging"], [200.0, 0.0, 300.0, 0.0, 0.0, 0.0])
        url = self.customer._ar_statement_url()
        path = url[url.index("/ar/statement/") :]
        self.assertEqual(self.url_open(path).status_code, 200)
        self.assertEqual(self.url_open(path[:-3] + "xyz").status_code, 404)
