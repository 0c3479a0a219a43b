from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..pipeline import release, sla


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    o2c_release_by_waves = fields.Boolean(
        string="Release Orders by Waves",
        help="Deliveries of sales orders wait until Order to Cash releases them in a pick "
        "wave (release job or Release Orders); an unreleased delivery cannot be validated. "
        "Switches off Odoo's automatic batches of the warehouse's delivery type.",
    )
    o2c_wave_max_orders = fields.Integer(
        string="Orders per Pick Wave",
        help="0: the delivery type's maximum transfers per batch, else the company's default.",
    )
    o2c_wave_max_lines = fields.Integer(
        string="Lines per Pick Wave",
        help="0: the delivery type's maximum lines per batch, else the company's default.",
    )
    o2c_release_max_waves = fields.Integer(
        string="Pick Waves per Release", help="0: the company's default."
    )

    @api.constrains("o2c_wave_max_orders", "o2c_wave_max_lines", "o2c_release_max_waves")
    def _check_o2c_release_caps(self):
        for warehouse in self:
            for fname in ("o2c_wave_max_orders", "o2c_wave_max_lines", "o2c_release_max_waves"):
                if warehouse[fname] < 0:
                    raise ValidationError(
                        self.env._(
                            "%(field)s cannot be negative (%(value)s) on warehouse %(warehouse)s.",
                            field=self._fields[fname].get_description(self.env)["string"],
                            value=warehouse[fname],
                            warehouse=warehouse.name,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        warehouses = super().create(vals_list)
        warehouses.filtered("o2c_release_by_waves")._o2c_stop_auto_batch()
        return warehouses

    def write(self, vals):
        result = super().write(vals)
        if vals.get("o2c_release_by_waves"):
            self._o2c_stop_auto_batch()
        return result

    def _o2c_stop_auto_batch(self):
        """Release runs make the delivery batches of these warehouses: Odoo's automatic
        batches would batch each delivery at confirmation, before any priority applies."""
        self.out_type_id.filtered("auto_batch").auto_batch = False

    def _o2c_release_caps(self):
        """The caps of a release run in this warehouse: its own, else the batch caps of
        its delivery operation type (Odoo's), else its company's defaults."""
        self.ensure_one()
        company = self.company_id
        delivery = self.out_type_id
        max_orders = (
            self.o2c_wave_max_orders
            or delivery.batch_max_pickings
            or company.o2c_wave_max_orders
            or 0
        )
        # A running peak period's cap: the smaller cap wins.
        peak_cap = self.env["o2c.peak.period"]._o2c_wave_cap(company)
        return release.Caps(
            max_orders=sla.smallest_cap(max_orders, peak_cap),
            max_lines=self.o2c_wave_max_lines
            or delivery.batch_max_lines
            or company.o2c_wave_max_lines
            or 0,
            max_waves=self.o2c_release_max_waves or company.o2c_release_max_waves or 0,
        )
