import datetime
import json

from odoo.tests import HttpCase, new_test_user, tagged

from .after_sales_common import AfterSalesCommon

STATUS_API = "/json/2/sale.order/o2c_status"


@tagged("post_install", "-at_install")
class TestStatusAfterSales(AfterSalesCommon, HttpCase):
    def _status_over_json2(self, refs):
        user = new_test_user(
            self.env,
            login="o2c_status_api",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
        )
        key = (
            self.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc",
                name="status",
                expiration_date=datetime.datetime.now() + datetime.timedelta(days=1),
            )
        )
        answer = self.url_open(
            STATUS_API,
            data=json.dumps({"refs": refs}),
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        return answer.json()

    def test_status_reports_returns_complaints_and_rating(self):
        order = self._delivered_order([(self.product_fish_sauce, 3), (self.product_coffee, 2)])
        quiet = self._delivered_order([(self.product_coffee, 1)], paid=False)
        fish = self._line(order, self.product_fish_sauce)
        coffee = self._line(order, self.product_coffee)
        request = self._request([(fish, 2, "damaged"), (coffee, 1, "changed_mind")])
        request.action_approve()
        complaint = self.env["o2c.complaint"].create(
            {
                "order_id": order.id,
                "channel": "marketplace",
                "category": "damaged",
                "description": "Two bottles arrived broken.",
            }
        )
        order._o2c_set_rating(2, "Broken bottles")

        status, quiet_status = self._status_over_json2([order.name, quiet.id])

        # The keys integrations already read are still there.
        self.assertEqual((status["found"], status["order_id"]), (True, order.id))
        self.assertEqual(status["stage"], "after_sales")
        self.assertEqual(len(status["invoices"]), 1)
        self.assertEqual(
            status["returns"],
            [
                {
                    "name": request.name,
                    "state": "approved",
                    "resolution": "refund",
                    "date_request": request.date_request.isoformat(),
                    "lines": [
                        {
                            "product": "T-NM500",
                            "quantity": 2.0,
                            "uom": "Units",
                            "reason": "damaged",
                        },
                        {
                            "product": "T-CF250",
                            "quantity": 1.0,
                            "uom": "Units",
                            "reason": "changed_mind",
                        },
                    ],
                }
            ],
        )
        self.assertEqual(
            status["complaints"],
            [
                {
                    "name": complaint.name,
                    "state": "open",
                    "category": "damaged",
                    "date_open": complaint.date_open.isoformat(),
                }
            ],
        )
        self.assertEqual(
            status["rating"],
            {"value": 2, "comment": "Broken bottles", "date": order.o2c_rated_on.isoformat()},
        )
        # An order without after-sales says so plainly.
        self.assertEqual(
            {key: quiet_status[key] for key in ("returns", "complaints", "rating")},
            {"returns": [], "complaints": [], "rating": False},
        )

        # The latest rating wins, and a resolved complaint shows its new state.
        order._o2c_set_rating(5)
        complaint.resolution = "Two bottles sent again."
        complaint.action_resolve()
        [status] = self.env["sale.order"].o2c_status([order.id])
        self.assertEqual(status["rating"]["value"], 5)
        self.assertIs(status["rating"]["comment"], False)
        self.assertEqual(status["complaints"][0]["state"], "resolved")
