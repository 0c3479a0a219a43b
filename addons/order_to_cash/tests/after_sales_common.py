from odoo import Command

from .common import O2cCommon


class AfterSalesCommon(O2cCommon):
    """Orders delivered (and, where asked, invoiced and paid) for stage 6 tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules()
        # Both invoicing policies: returns lower what is invoiced only on delivered ones.
        cls.product_fish_sauce.invoice_policy = "delivery"
        cls.product_coffee.invoice_policy = "order"

    @classmethod
    def _delivered_order(cls, lines, partner=None, paid=True):
        order = cls._order(partner=partner, lines=lines)
        order.action_confirm()
        cls._validate(order.picking_ids)
        if paid:
            invoice = order._create_invoices()
            invoice.action_post()
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({})._create_payments()
        return order

    @classmethod
    def _validate(cls, pickings):
        for picking in pickings:
            picking.move_ids.picked = True
            picking.button_validate()
            assert picking.state == "done", picking.state

    @classmethod
    def _request(cls, lines, partner=None, resolution="refund"):
        """A draft return request; ``lines``: (sale line, quantity, reason)."""
        return cls.env["o2c.return"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "resolution": resolution,
                "line_ids": [
                    Command.create(
                        {"sale_line_id": sale_line.id, "quantity": quantity, "reason": reason}
                    )
                    for sale_line, quantity, reason in lines
                ],
            }
        )

    def assertRaisesRegex(self, exception, regex):
        # Odoo wraps assertRaises (not assertRaisesRegex) in a savepoint: keep the
        # rollback and check the message on the way out.
        test = self

        class _Check:
            def __enter__(self):
                self.context = test.assertRaises(exception)
                self.catcher = self.context.__enter__()
                return self.catcher

            def __exit__(self, *exc):
                result = self.context.__exit__(*exc)
                test.assertRegex(str(self.catcher.exception), regex)
                return result

        return _Check()

    def _on_hand(self, product):
        return product.with_context(location=self.stock_location.id).qty_available

    @staticmethod
    def _line(order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)
