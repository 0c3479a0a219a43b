from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    o2c_shipment_ids = fields.One2many("o2c.shipment", "picking_id", string="Shipments")
    o2c_shipment_count = fields.Integer(compute="_compute_o2c_shipment_count")

    def _compute_o2c_shipment_count(self):
        for picking in self:
            picking.o2c_shipment_count = len(picking.o2c_shipment_ids)

    def _o2c_cod_to_collect(self):
        """The order's total in the company's currency when it is paid on delivery."""
        order = self.sale_id
        if not order.o2c_is_cod:
            return 0.0
        return order.currency_id._convert(
            order.amount_total,
            self.company_id.currency_id,
            self.company_id,
            fields.Date.context_today(self),
        )

    def action_o2c_shipments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_to_cash.action_o2c_shipment")
        action["domain"] = [("picking_id", "=", self.id)]
        action["context"] = {
            "default_picking_id": self.id,
            "default_company_id": self.company_id.id,
            "default_cod_amount": self._o2c_cod_to_collect(),
        }
        return action
