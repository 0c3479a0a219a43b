from odoo import api, models
from odoo.exceptions import AccessError

# What the carrier's events, the polling job and the COD statements set: users never write
# them (a parcel marked "not remitted" by hand would be paid a second time by the next
# statement). The addon's own code writes them as superuser (webhook, cron, posting).
TRACKED_FIELDS = frozenset(
    {
        "state",
        "state_date",
        "state_reason",
        "date_delivered",
        "failed_attempts",
        "cs_alerted",
        "return_picking_id",
        "date_polled",
        "unknown_since",
        "poll_stopped",
        "cod_remitted",
    }
)


class O2cShipmentGuard(models.Model):
    _inherit = "o2c.shipment"

    def _o2c_check_tracked_write(self, vals_list):
        if self.env.su:
            return
        touched = sorted({f for vals in vals_list for f in vals} & TRACKED_FIELDS)
        if touched:
            raise AccessError(
                self.env._(
                    "%(fields)s of a shipment are set by the carrier's events and the COD "
                    "statements, not by hand.",
                    fields=", ".join(touched),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._o2c_check_tracked_write(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._o2c_check_tracked_write([vals])
        if not self.env.su and {"cod_amount", "carrier_account_id", "tracking_ref"} & set(vals):
            remitted = self.filtered("cod_remitted")
            if remitted:
                raise AccessError(
                    self.env._(
                        "The COD of %(refs)s is remitted: its amount, carrier and tracking "
                        "number cannot change.",
                        refs=", ".join(remitted.mapped("tracking_ref")),
                    )
                )
        return super().write(vals)

    @api.model
    def _cron_o2c_poll(self):
        # The job writes the tracked fields of the shipments it polls.
        return super(O2cShipmentGuard, self.sudo())._cron_o2c_poll()
