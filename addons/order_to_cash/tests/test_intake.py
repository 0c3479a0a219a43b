from odoo import Command
from odoo.tests import tagged

from .common import O2cCommon


@tagged("post_install", "-at_install")
class TestIntake(O2cCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules("customer_data", "payment_method")
        cls.SaleOrder = cls.env["sale.order"]

    def test_create_order_with_new_customer(self):
        [result] = self.SaleOrder.o2c_intake(self._payload("SP-100"))
        self.assertEqual(result["status"], "created", result)
        order = self.SaleOrder.browse(result["order_id"])
        self.assertEqual(order.o2c_channel_id, self.channel_shopee)
        self.assertEqual(order.o2c_external_ref, "SP-100")
        self.assertEqual(order.o2c_payment_method_id, self.cod)
        self.assertEqual(order.warehouse_id, self.warehouse)
        self.assertEqual(order.partner_id.name, "Lê Văn Hùng")
        self.assertEqual(order.partner_id.state_id, self.hcm)
        self.assertEqual(order.partner_id.city, "Phường Sài Gòn")
        self.assertEqual(order.order_line.product_id, self.product_fish_sauce)
        self.assertEqual(order.order_line.product_uom_qty, 2.0)
        self.assertEqual(order.o2c_stage, "accepted")
        self.assertFalse(order.o2c_hold)
        self.assertTrue(order.o2c_date_accepted)
        self.assertEqual(result["name"], order.name)

    def test_same_reference_is_idempotent(self):
        first = self.SaleOrder.o2c_intake(self._payload("SP-200"))[0]
        partners = self.env["res.partner"].search_count([])
        again = self.SaleOrder.o2c_intake([self._payload("SP-200"), self._payload("SP-200")])
        self.assertEqual([r["status"] for r in again], ["exists", "exists"])
        self.assertEqual({r["order_id"] for r in again}, {first["order_id"]})
        self.assertEqual(self.SaleOrder.search_count([("o2c_external_ref", "=", "SP-200")]), 1)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_same_reference_in_other_channel_is_another_order(self):
        first = self.SaleOrder.o2c_intake(self._payload("REF-1"))[0]
        other = self.SaleOrder.o2c_intake(self._payload("REF-1", channel="t-phone"))[0]
        self.assertEqual(other["status"], "created")
        self.assertNotEqual(first["order_id"], other["order_id"])

    def test_bad_order_does_not_block_the_batch(self):
        partners_before = self.env["res.partner"].search_count([])
        bad = self._payload("SP-302", lines=[{"default_code": "NOPE", "qty": 1}])
        bad["customer"] = dict(bad["customer"], name="Khách Lỗi", phone="+84 900 000 999")
        results = self.SaleOrder.o2c_intake([self._payload("SP-301"), bad, self._payload("SP-303")])
        self.assertEqual([r["status"] for r in results], ["created", "rejected", "created"])
        self.assertEqual(
            results[1]["errors"],
            [
                {
                    "field": "lines[0].default_code",
                    "value": "NOPE",
                    "message": "no product has this code",
                }
            ],
        )
        # The rejected order left nothing behind: no order, no new customer.
        self.assertFalse(self.SaleOrder.search([("o2c_external_ref", "=", "SP-302")]))
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Khách Lỗi")]))
        # The two good orders share the customer matched by phone.
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before + 1)

    def test_wrong_types_name_each_field(self):
        payload = self._payload("SP-400")
        payload["lines"] = [{"default_code": "T-NM500", "qty": "two"}, {"qty": 1}, "x"]
        payload["customer"] = dict(payload["customer"], is_company="yes")
        payload["date_order"] = "26/11/2026"
        payload["colour"] = "red"
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(result["status"], "rejected")
        fields = {e["field"]: e for e in result["errors"]}
        self.assertEqual(
            set(fields),
            {
                "lines[0].qty",
                "lines[1].default_code",
                "lines[2]",
                "customer.is_company",
                "date_order",
                "colour",
            },
        )
        self.assertEqual(fields["lines[0].qty"]["value"], "two")
        self.assertEqual(fields["date_order"]["value"], "26/11/2026")

    def test_missing_customer_data(self):
        payload = self._payload("SP-500")
        payload["customer"] = {"phone": "+84 999 888 777"}
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(result["status"], "rejected")
        self.assertEqual(result["errors"][0]["field"], "customer.name")
        payload = self._payload("SP-501")
        del payload["customer"]
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(result["errors"][0]["field"], "customer")

    def test_unknown_channel_province_and_payment_method(self):
        payload = self._payload("SP-600", channel="nowhere")
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(result["errors"][0]["field"], "channel")
        payload = self._payload("SP-601", payment_method="barter")
        payload["customer"] = dict(payload["customer"], province="Atlantis")
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(
            {e["field"] for e in result["errors"]}, {"customer.province", "payment_method"}
        )

    def test_incomplete_customer_is_accepted_and_held(self):
        payload = self._payload("SP-700")
        payload["customer"] = {
            "name": "Khách Vãng Lai",
            "phone": "+84 911 000 000",
            "country": "VN",
        }
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(result["status"], "created")
        self.assertTrue(result["hold"])
        order = self.SaleOrder.browse(result["order_id"])
        self.assertIn("street", order.o2c_hold_reason)
        self.assertIn("ward", order.o2c_hold_reason)

    def test_customer_matched_by_vat_then_barcode_line(self):
        company = self.env["res.partner"].create(
            {"name": "Sao Mai Co.", "is_company": True, "vat": "0100109106"}
        )
        payload = self._payload(
            "SP-800", lines=[{"barcode": "8930000999017", "qty": 5, "price_unit": 80000}]
        )
        payload["customer"] = {"vat": "0100109106"}
        [result] = self.SaleOrder.o2c_intake(payload)
        order = self.SaleOrder.browse(result["order_id"])
        self.assertEqual(order.partner_id, company)
        self.assertEqual(order.order_line.product_id, self.product_fish_sauce)
        self.assertEqual(order.order_line.price_unit, 80000)

    def test_not_a_list(self):
        [result] = self.SaleOrder.o2c_intake("orders")
        self.assertEqual(result["status"], "rejected")
        self.assertEqual(result["errors"][0]["field"], "orders")

    def test_status_query(self):
        [created] = self.SaleOrder.o2c_intake(self._payload("SP-900"))
        statuses = self.SaleOrder.o2c_status(
            [{"channel": "t-shopee", "external_ref": "SP-900"}, created["name"], 0]
        )
        self.assertTrue(statuses[0]["found"])
        self.assertEqual(statuses[0]["order_id"], created["order_id"])
        self.assertEqual(statuses[0]["stage"], "accepted")
        self.assertEqual(statuses[1]["order_id"], created["order_id"])
        self.assertFalse(statuses[2]["found"])

    def test_failure_at_write_falls_back_to_one_savepoint_per_order(self):
        """A batch whose shared write fails is written again order by order: the
        order that fails is rejected with the reason, the others are created."""
        # The API user also works for another company, which alone sells the product the
        # second order names: found by its code, refused when this company's order is written.
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.env.user.company_ids |= other_company
        self._create_product(
            name="Other Co only",
            default_code="T-OTHER",
            company_id=other_company.id,
            taxes_id=[Command.clear()],
        )
        foreign = self._payload("WR-2", lines=[{"default_code": "T-OTHER", "qty": 1}])
        results = self.SaleOrder.o2c_intake([self._payload("WR-1"), foreign, self._payload("WR-3")])
        self.assertEqual([r["status"] for r in results], ["created", "rejected", "created"])
        self.assertEqual(results[1]["errors"][0]["field"], "order")
        self.assertFalse(self.SaleOrder.search([("o2c_external_ref", "=", "WR-2")]))
        self.assertEqual(
            self.SaleOrder.browse([results[0]["order_id"], results[2]["order_id"]]).mapped(
                "o2c_external_ref"
            ),
            ["WR-1", "WR-3"],
        )

    def test_same_order_twice_in_one_batch(self):
        results = self.SaleOrder.o2c_intake([self._payload("TW-1"), self._payload("TW-1")])
        self.assertEqual([r["status"] for r in results], ["created", "exists"])
        self.assertEqual(results[0]["order_id"], results[1]["order_id"])

    def test_phone_matched_as_e164(self):
        """A customer typed as "+84 912 345 678" is found again from "0912345678"."""
        payload = self._payload("SP-E164")
        payload["customer"] = dict(payload["customer"], name="Someone else", phone="0912345678")
        partners = self.env["res.partner"].search_count([])
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(result["status"], "created", result)
        self.assertEqual(self.SaleOrder.browse(result["order_id"]).partner_id, self.customer)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_new_customer_once_per_batch_whatever_the_phone_format(self):
        first = self._payload("SP-F1")
        second = self._payload("SP-F2")
        first["customer"] = dict(first["customer"], phone="+84 977 000 123")
        second["customer"] = dict(second["customer"], phone="0977000123")
        results = self.SaleOrder.o2c_intake([first, second])
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        orders = self.SaleOrder.browse([r["order_id"] for r in results])
        self.assertEqual(len(orders.partner_id), 1)
        self.assertEqual(orders.partner_id.phone_sanitized, "+84977000123")

    def test_customer_of_another_company_is_not_matched(self):
        """An API user working for two companies never attaches an order of this company
        to a customer kept by the other one: a new customer is created instead."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.env.user.company_ids |= other_company
        foreign = self.env["res.partner"].create(
            {"name": "Khách Other Co", "ref": "OTHER-1", "company_id": other_company.id}
        )
        payload = self._payload("SP-OTHER")
        payload["customer"] = dict(payload["customer"], ref="OTHER-1")
        [result] = self.SaleOrder.o2c_intake(payload)
        self.assertEqual(result["status"], "created", result)
        customer = self.SaleOrder.browse(result["order_id"]).partner_id
        self.assertNotEqual(customer, foreign)
        self.assertEqual(customer.ref, "OTHER-1")
