import base64

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_shipments import ShipmentCommon

HEADER = "Mã đơn GHN,Mã đơn khách hàng,Tiền thu hộ (COD),Tổng phí,Tiền chuyển khoản,Ngày đối soát"


def statement(*rows, title=True):
    """A GHN-style COD statement as CSV bytes; rows are (ref, collected, fee, remitted)."""
    lines = ["GIAO HÀNG NHANH - BẢNG ĐỐI SOÁT COD"] if title else []
    lines.append(HEADER)
    lines += [f'{ref},,"{cod}","{fee}","{remitted}",25/11/2026' for ref, cod, fee, remitted in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@tagged("post_install", "-at_install")
class TestCodStatement(ShipmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.clearing = Account.create(
            {
                "code": "1388GHN",
                "name": "Phải thu GHN (COD)",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.fee_account = Account.create(
            {"code": "6418GHN", "name": "Phí giao hàng GHN", "account_type": "expense"}
        )
        cls.ghn.write(
            {
                "cod_journal_id": cls.company_data["default_journal_misc"].id,
                "cod_clearing_account_id": cls.clearing.id,
                "cod_fee_account_id": cls.fee_account.id,
            }
        )

    def _invoiced_parcel(self, ref, state="delivered"):
        """A delivered COD order (2 × 85,000), invoiced, and its parcel at GHN."""
        order, picking = self._delivered_order()
        invoice = order._create_invoices()
        invoice.action_post()
        shipment = self._shipment(self.ghn, ref, picking=picking, cod=order.amount_total)
        shipment.sudo().write({"state": state})
        return order, invoice, shipment

    def _import(self, data, name="doi_soat.csv"):
        return self.env["o2c.cod.statement"]._o2c_import(self.ghn, name, data)

    def test_matched_lines_pay_the_invoices_and_mismatches_wait(self):
        __, invoice_a, parcel_a = self._invoiced_parcel("GANA1")
        __, invoice_b, parcel_b = self._invoiced_parcel("GANB1")
        __, __, parcel_r = self._invoiced_parcel("GANR1", state="returned")
        record, created = self._import(
            statement(
                ("GANA1", "170,000", "20,000", "150,000"),  # as expected
                ("GANB1", "100,000", "20,000", "80,000"),  # collected less than expected
                ("GANR1", "170,000", "20,000", "150,000"),  # returned parcel with cash
                ("GANZZ", "50,000", "0", "50,000"),  # unknown parcel
            )
        )
        self.assertTrue(created)
        kinds = {line.tracking_ref: line.kind for line in record.line_ids}
        self.assertEqual(
            kinds,
            {
                "GANA1": "matched",
                "GANB1": "collected_mismatch",
                "GANR1": "returned_with_cod",
                "GANZZ": "unknown_tracking",
            },
        )
        line_b = record.line_ids.filtered(lambda ln: ln.tracking_ref == "GANB1")
        self.assertEqual(line_b.difference, -70000)
        self.assertEqual(record.mismatch_count, 3)
        record.action_post()
        self.assertEqual(record.state, "posted")
        move = record.move_id
        self.assertEqual(move.state, "posted")
        clearing = move.line_ids.filtered(lambda ln: ln.account_id == self.clearing)
        self.assertEqual(clearing.debit, 150000)
        fee = move.line_ids.filtered(lambda ln: ln.account_id == self.fee_account)
        self.assertEqual(fee.debit, 20000)
        self.assertIn(invoice_a.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice_b.payment_state, "not_paid")
        self.assertTrue(parcel_a.cod_remitted)
        self.assertFalse(parcel_b.cod_remitted)
        self.assertFalse(parcel_r.cod_remitted)

    def test_same_statement_twice_changes_nothing(self):
        self._invoiced_parcel("GANA2")
        data = statement(("GANA2", "170,000", "20,000", "150,000"))
        first, created = self._import(data)
        self.assertTrue(created)
        first.action_post()
        # The same statement again, exported without the title and with spaces.
        again, created = self._import(
            statement(("GANA2", "170000", "20000", "150000"), title=False), name="lan2.csv"
        )
        self.assertFalse(created)
        self.assertEqual(again, first)
        self.assertEqual(self.env["o2c.cod.statement"].search_count([]), 1)
        self.assertEqual(len(first.line_ids), 1)

    def test_parcel_in_a_second_statement_is_already_remitted(self):
        self._invoiced_parcel("GANA3")
        first, __ = self._import(statement(("GANA3", "170,000", "20,000", "150,000")))
        first.action_post()
        second, __ = self._import(statement(("GANA3", "170,000", "10,000", "160,000")))
        self.assertEqual(second.line_ids.kind, "already_remitted")
        moves_before = self.env["account.move"].search_count([])
        second.action_post()
        self.assertFalse(second.move_id)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_remitted_amount_not_matching_is_listed(self):
        self._invoiced_parcel("GANA4")
        record, __ = self._import(statement(("GANA4", "170,000", "20,000", "140,000")))
        self.assertEqual(record.line_ids.kind, "remitted_mismatch")
        self.assertEqual(record.line_ids.difference, -10000)

    def test_bad_file_is_refused_whole_with_line_and_column(self):
        self._invoiced_parcel("GANA5")
        data = statement(
            ("GANA5", "170,000", "20,000", "150,000"),
            ("GANB5", "12,5x", "20,000", "150,000"),
        )
        with self.assertRaises(UserError) as caught:
            self._import(data, name="hong.csv")
        message = str(caught.exception)
        self.assertIn("hong.csv", message)
        self.assertIn("Line 4", message)
        self.assertIn("Tiền thu hộ (COD)", message)
        self.assertIn("12,5x", message)
        self.assertFalse(self.env["o2c.cod.statement"].search([]))

    def test_wizard_imports_and_opens_the_statement(self):
        self._invoiced_parcel("GANA6")
        wizard = self.env["o2c.cod.import.wizard"].create(
            {
                "carrier_account_id": self.ghn.id,
                "file": base64.b64encode(statement(("GANA6", "170,000", "20,000", "150,000"))),
                "file_name": "ghn.csv",
            }
        )
        action = wizard.action_import()
        record = self.env["o2c.cod.statement"].browse(action["res_id"])
        self.assertEqual(record.line_ids.kind, "matched")
        self.assertEqual(record.attachment_id.name, "ghn.csv")

    def test_accountant_imports_and_posts_but_cannot_edit_results(self):
        billing = self.env["res.users"].create(
            {
                "name": "Kế toán COD",
                "login": "cod_billing",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("account.group_account_invoice").id,
                        ]
                    )
                ],
            }
        )
        __, invoice, parcel = self._invoiced_parcel("GANA7")
        self._invoiced_parcel("GANB7")
        Statement = self.env["o2c.cod.statement"].with_user(billing)
        record, __ = Statement._o2c_import(
            self.ghn.with_user(billing),
            "ghn.csv",
            statement(
                ("GANA7", "170,000", "20,000", "150,000"),
                ("GANB7", "1,000", "0", "1,000"),
            ),
        )
        mismatch = record.line_ids.filtered(lambda ln: ln.kind != "matched")
        with self.assertRaises(AccessError):
            mismatch.kind = "matched"
        with self.assertRaises(AccessError):
            record.state = "posted"
        record.action_post()
        self.assertEqual(record.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(parcel.cod_remitted)
        # Nobody marks the parcel "not remitted" again by hand (it would be paid twice).
        stock_user = self.env["res.users"].create(
            {
                "name": "Kho",
                "login": "cod_stock",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [Command.set([self.env.ref("stock.group_stock_user").id])],
            }
        )
        for user in (stock_user, billing):
            with self.assertRaises(AccessError):
                parcel.with_user(user).write({"cod_remitted": False})
            with self.assertRaises(AccessError):
                parcel.with_user(user).write({"cod_amount": 1.0})
        with self.assertRaises(UserError):
            record.unlink()

    def test_parcel_not_delivered_or_without_order_waits_for_review(self):
        self._invoiced_parcel("GANT8", state="in_transit")
        orphan = self._shipment(self.ghn, "GANO8", cod=170000)
        orphan.sudo().write({"state": "delivered"})
        record, __ = self._import(
            statement(
                ("GANT8", "170,000", "20,000", "150,000"),
                ("GANO8", "170,000", "20,000", "150,000"),
            )
        )
        kinds = {line.tracking_ref: line.kind for line in record.line_ids}
        self.assertEqual(kinds, {"GANT8": "not_delivered", "GANO8": "no_order"})
        record.action_post()
        self.assertFalse(record.move_id)

    def test_tracking_number_compared_without_case_or_spaces(self):
        self._invoiced_parcel("gan c9")
        record, __ = self._import(statement(("GANC9", "170,000", "20,000", "150,000")))
        self.assertEqual(record.line_ids.kind, "matched")

    def test_posting_that_fails_leaves_nothing_half_written(self):
        __, invoice, parcel = self._invoiced_parcel("GANA10")
        record, __ = self._import(statement(("GANA10", "170,000", "20,000", "150,000")))
        # The fee account was archived meanwhile: the entry fails midway.
        self.fee_account.active = False
        with self.assertRaises(UserError):
            record.action_post()
        self.assertEqual(record.state, "review")
        self.assertFalse(record.move_id)
        self.assertFalse(parcel.cod_remitted)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_other_company_statements_are_not_visible(self):
        self._invoiced_parcel("GANA11")
        record, __ = self._import(statement(("GANA11", "170,000", "20,000", "150,000")))
        other = self.setup_other_company(name="Chi nhánh D")["company"]
        user_b = self.env["res.users"].create(
            {
                "name": "Kế toán B",
                "login": "cod_billing_b",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "group_ids": [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("account.group_account_invoice").id,
                        ]
                    )
                ],
            }
        )
        Statement = self.env["o2c.cod.statement"].with_user(user_b)
        self.assertFalse(Statement.search([]))
        self.assertFalse(self.env["o2c.cod.statement.line"].with_user(user_b).search([]))
        with self.assertRaises(AccessError):
            record.with_user(user_b).read(["name"])
