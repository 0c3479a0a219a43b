from odoo import api, fields, models
from odoo.exceptions import UserError

from ..pipeline import release


class O2cReleaseWizard(models.TransientModel):
    _name = "o2c.release.wizard"
    _description = "Release Orders to the Warehouse"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    max_orders = fields.Integer(
        string="Orders per Wave", compute="_compute_caps", store=True, readonly=False
    )
    max_lines = fields.Integer(
        string="Lines per Wave", compute="_compute_caps", store=True, readonly=False
    )
    max_waves = fields.Integer(
        string="Waves in this Release", compute="_compute_caps", store=True, readonly=False
    )
    ready_count = fields.Integer(string="Deliveries Ready", compute="_compute_ready_count")

    @api.depends("warehouse_id")
    def _compute_caps(self):
        for wizard in self:
            if not wizard.warehouse_id:
                continue
            caps = wizard.warehouse_id._o2c_release_caps()
            wizard.max_orders = caps.max_orders
            wizard.max_lines = caps.max_lines
            wizard.max_waves = caps.max_waves

    @api.depends("warehouse_id")
    def _compute_ready_count(self):
        Picking = self.env["stock.picking"]
        for wizard in self:
            wizard.ready_count = (
                Picking.search_count(Picking._o2c_release_domain(wizard.warehouse_id))
                if wizard.warehouse_id
                else 0
            )

    def _caps(self):
        self.ensure_one()
        try:
            return release.Caps(
                max_orders=self.max_orders, max_lines=self.max_lines, max_waves=self.max_waves
            )
        except ValueError:
            raise UserError(
                self.env._(
                    "Caps cannot be negative: orders per wave %(orders)s, lines per wave "
                    "%(lines)s, waves %(waves)s.",
                    orders=self.max_orders,
                    lines=self.max_lines,
                    waves=self.max_waves,
                )
            ) from None

    def action_release(self):
        """Release the ready deliveries of the warehouse and show the waves made."""
        self.ensure_one()
        batches = (
            self.env["stock.picking"]
            .with_company(self.warehouse_id.company_id)
            ._o2c_release(self.warehouse_id, self._caps())
        )
        if not batches:
            raise UserError(
                self.env._(
                    "No delivery of warehouse %(warehouse)s is ready for release: "
                    "deliveries must be ready, of a confirmed order not on hold, "
                    "and not released or in a batch already.",
                    warehouse=self.warehouse_id.name,
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_to_cash.action_o2c_pick_waves"
        )
        action["domain"] = [("id", "in", batches.ids)]
        return action
