from odoo import Command, fields
from odoo.tests import Form

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


class BillMatchCommon(AccountTestInvoicingCommon):
    """A company with the three-way match on (no tolerance), a vendor, a
    buyer and a receiver, storable products in their own category."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.company.bill_match_enabled = True
        cls.uom_unit = cls.env.ref("uom.product_uom_unit")
        cls.uom_pack6 = cls.env.ref("uom.product_uom_pack_6")
        cls.uom_kg = cls.env.ref("uom.product_uom_kgm")
        cls.vendor = cls.env["res.partner"].create({"name": "Nhà cung cấp A"})
        cls.buyer = cls._bm_user(login="bm_buyer", groups="purchase.group_purchase_user")
        cls.receiver = cls._bm_user(login="bm_receiver", groups="stock.group_stock_user")
        cls.category = cls.env["product.category"].create({"name": "Vật tư"})
        cls.product = cls._bm_product("Thép tấm")
        cls.product_b = cls._bm_product("Ốc vít")
        cls.bank_journal = cls.company_data["default_journal_bank"]

    @classmethod
    def _bm_user(cls, login, groups):
        group_ids = [cls.env.ref("base.group_user").id]
        group_ids += [cls.env.ref(xmlid).id for xmlid in groups.split(",")]
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [Command.set(group_ids)],
            }
        )

    @classmethod
    def _bm_product(cls, name, **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "categ_id": cls.category.id,
                "purchase_method": "receive",
                "uom_id": cls.uom_unit.id,
                "supplier_taxes_id": [Command.clear()],
                **vals,
            }
        )

    def _po(self, lines, partner=None):
        """Confirmed purchase order; ``lines`` are (product, qty, price[, uom])."""
        order = self.env["purchase.order"].create(
            {
                "partner_id": (partner or self.vendor).id,
                "user_id": self.buyer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": line[0].id,
                            "product_qty": line[1],
                            "price_unit": line[2],
                            "product_uom_id": (line[3] if len(line) > 3 else self.uom_unit).id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for line in lines
                ],
            }
        )
        order.button_confirm()
        order.picking_ids.user_id = self.receiver
        return order

    def _receive(self, order, qty=None):
        """Validate the open receipt of ``order``: everything, or ``qty`` of
        each move (the rest goes to a backorder)."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.ensure_one()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
        picking.move_ids.picked = True
        result = picking.button_validate()
        if isinstance(result, dict):
            Form.from_action(self.env, result).save().process()
        order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).user_id = self.receiver
        return picking

    def _bill(self, lines, partner=None, post=True):
        """Vendor bill; ``lines`` are dicts with po_line or product, qty, price."""
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": (partner or self.vendor).id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": (line.get("product") or line["po_line"].product_id).id,
                            "purchase_line_id": line["po_line"].id
                            if line.get("po_line")
                            else False,
                            "quantity": line["qty"],
                            "price_unit": line["price"],
                            "product_uom_id": line.get("uom", self.uom_unit).id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for line in lines
                ],
            }
        )
        if post:
            bill.action_post()
        return bill

    def _received_and_billed(self, qty=10, price=100.0, bill_qty=None, bill_price=None):
        order = self._po([(self.product, qty, price)])
        self._receive(order)
        bill = self._bill(
            [
                {
                    "po_line": order.order_line,
                    "qty": qty if bill_qty is None else bill_qty,
                    "price": price if bill_price is None else bill_price,
                }
            ]
        )
        return order, bill

    def _set_tolerance(self, record, price_percent=0, price_amount=0, qty_percent=0, qty_amount=0):
        vals = {
            "bill_match_price_percent": price_percent,
            "bill_match_price_amount": price_amount,
            "bill_match_qty_percent": qty_percent,
            "bill_match_qty_amount": qty_amount,
        }
        if record._name != "res.company":
            vals["bill_match_tolerance_set"] = True
        record.with_company(self.company).write(vals)

    def _reasons(self, bill):
        return set(bill.bill_match_open_issue_ids.mapped("reason_code"))

    def _payable(self, move):
        return move.line_ids.filtered(lambda line: line.account_type == "liability_payable")

    def _match_activities(self, bill):
        activity_type = self.env.ref("purchase_bill_match.mail_activity_bill_match")
        return bill.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
