import datetime
import json

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

RATE_API = "/json/2/sale.order/o2c_rate"


@tagged("post_install", "-at_install")
class TestRating(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Phạm Thu Hà", "email": "ha@example.com"}
        )
        product = cls.env["product.product"].create({"name": "Green tea 100g", "list_price": 45000})
        cls.channel = cls.env["o2c.channel"].create(
            {"name": "Tiki", "code": "t-tiki", "channel_type": "marketplace"}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner.id,
                "o2c_channel_id": cls.channel.id,
                "o2c_external_ref": "TK-778",
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )

    def _url(self, token=None):
        return f"/o2c/rate/{self.order.id}/{token or self.order._portal_ensure_token()}"

    def test_rate_by_email_link(self):
        url = self.order._o2c_rating_url()
        self.assertTrue(url.endswith(self._url()))
        page = self.url_open(self._url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order.name, page.text)
        self.assertIn('name="rating"', page.text)

        answer = self.url_open(self._url(), data={"rating": "4", "comment": " Fast, well packed "})
        self.assertEqual(answer.status_code, 200)
        self.assertIn("4", answer.text)
        self.assertEqual(self.order.o2c_rating, 4)
        self.assertEqual(self.order.o2c_rating_comment, "Fast, well packed")
        self.assertTrue(self.order.o2c_rated_on)

        # Last rating wins: the customer corrects a wrong click.
        self.url_open(self._url(), data={"rating": "5"})
        self.assertEqual(self.order.o2c_rating, 5)
        self.assertFalse(self.order.o2c_rating_comment)

    def test_link_refuses_bad_token_and_bad_rating(self):
        real = self.order._portal_ensure_token()
        # One character off (never the real token: the last one is changed, whatever it is).
        off_by_one = real[:-1] + ("1" if real[-1] == "0" else "0")
        for token in ("not-the-token", off_by_one):
            self.assertEqual(self.url_open(self._url(token)).status_code, 404)
            self.assertEqual(self.url_open(self._url(token), data={"rating": "5"}).status_code, 404)
        self.assertEqual(
            self.url_open(f"/o2c/rate/999999999/{self.order.access_token}").status_code, 404
        )
        answer = self.url_open(self._url(), data={"rating": "6"})
        self.assertEqual(answer.status_code, 400)
        self.assertIn("Field rating", answer.text)
        self.assertEqual(self.order.o2c_rating, 0)

    def test_rating_template_carries_the_link(self):
        template = self.env.ref("order_to_cash.mail_template_o2c_rating")
        action = self.order.action_o2c_request_rating()
        self.assertEqual(action["context"]["default_template_id"], template.id)
        body = template._render_field("body_html", self.order.ids)[self.order.id]
        self.assertIn(self._url(), str(body))

    def test_rate_by_api(self):
        SaleOrder = self.env["sale.order"]
        result = SaleOrder.o2c_rate(self.order.name, 3, "OK")
        self.assertEqual(
            {k: result[k] for k in ("found", "order_id", "rating", "comment")},
            {"found": True, "order_id": self.order.id, "rating": 3, "comment": "OK"},
        )
        result = SaleOrder.o2c_rate({"channel": "t-tiki", "external_ref": "TK-778"}, "5")
        self.assertEqual((result["rating"], self.order.o2c_rating), (5, 5))
        self.assertEqual(SaleOrder.o2c_rate("NO-SUCH", 5), {"ref": "NO-SUCH", "found": False})
        for bad in (0, 6, "x", 4.5, None):
            with self.assertRaisesRegex(ValidationError, rf"Field rating: {bad!r} is not a rating"):
                SaleOrder.o2c_rate(self.order.name, bad)
        self.assertEqual(self.order.o2c_rating, 5)

    def test_rate_over_json2(self):
        user = new_test_user(
            self.env, login="o2c_rating_api", groups="sales_team.group_sale_salesman_all_leads"
        )
        key = (
            self.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc",
                name="rating",
                expiration_date=datetime.datetime.now() + datetime.timedelta(days=1),
            )
        )
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "X-Odoo-Database": self.env.cr.dbname,
        }
        answer = self.url_open(
            RATE_API,
            data=json.dumps({"ref": self.order.name, "rating": 2, "comment": "Late"}),
            headers=headers,
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["rating"], 2)
        self.assertEqual((self.order.o2c_rating, self.order.o2c_rating_comment), (2, "Late"))
        answer = self.url_open(
            RATE_API, data=json.dumps({"ref": self.order.name, "rating": 0}), headers=headers
        )
        self.assertEqual(answer.status_code, 422, answer.text)
        self.assertIn("Field rating: 0", answer.text)
