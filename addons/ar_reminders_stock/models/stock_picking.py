from odoo import api, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    ar_shipments_stopped = fields.Boolean(
        string="Shipments Stopped",
        compute="_compute_ar_shipments_stopped",
        help="The customer's payment reminders stopped shipments: this delivery cannot be "
        "validated until the overdue invoices are paid or a receivable manager releases it.",
    )

    @api.depends(
        "partner_id.commercial_partner_id.ar_shipments_stopped", "picking_type_code", "company_id"
    )
    def _compute_ar_shipments_stopped(self):
        for picking in self:
            picking.ar_shipments_stopped = picking._ar_stopped()

    def _ar_stopped(self):
        """Stopped by the reminders of the company that ships (the flag is per company),
        whatever company the user works in."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.with_company(self.company_id).sudo()
        return self.picking_type_code == "outgoing" and bool(customer.ar_shipments_stopped)

    def _ar_check_shipments_allowed(self):
        stopped = self.filtered(lambda p: p._ar_stopped())
        if stopped:
            customers = stopped.partner_id.commercial_partner_id
            raise UserError(
                self.env._(
                    "Shipments to %(customers)s are stopped by payment reminders (deliveries "
                    "%(pickings)s). They resume when the overdue invoices are paid, or when a "
                    "receivable manager releases the holds on the customer.",
                    customers=", ".join(customers.mapped("display_name")),
                    pickings=", ".join(stopped.mapped("name")),
                )
            )

    def button_validate(self):
        # Before the backorder and immediate-transfer wizards: say it first.
        self._ar_check_shipments_allowed()
        return super().button_validate()

    def _action_done(self):
        # Every way to a done delivery (batches, the API, other modules) ends here.
        self._ar_check_shipments_allowed()
        return super()._action_done()
