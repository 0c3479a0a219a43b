from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from ..pipeline import returns
from .o2c_after_sales_mixin import STATE_ATTRS

CHANNEL_SELECTION = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("chat", "Chat"),
    ("marketplace", "Marketplace"),
    ("social", "Social Media"),
    ("store", "Store"),
]
CATEGORY_SELECTION = [
    ("late_delivery", "Late Delivery"),
    ("damaged", "Damaged Goods"),
    ("wrong_item", "Wrong Item"),
    ("quality", "Quality"),
    ("billing", "Billing"),
    ("service", "Service"),
    ("other", "Other"),
]
STATE_SELECTION = [
    ("open", "Open"),
    ("resolved", "Resolved"),
    ("cancel", "Cancelled"),
]
# Written by the complaint's own actions only (see after_sales_guard).
WORKFLOW_FIELDS = ("state", "date_resolved", "resolve_hours")


class O2cComplaint(models.Model):
    _name = "o2c.complaint"
    _description = "Customer Complaint"
    _inherit = ["o2c.after.sales.mixin"]
    _order = "date_open desc, id desc"
    _o2c_workflow_fields = WORKFLOW_FIELDS

    company_id = fields.Many2one(
        related="order_id.company_id", store=True, readonly=True, precompute=True
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id", store=True, readonly=True, precompute=True
    )
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="phone", tracking=True)
    category = fields.Selection(CATEGORY_SELECTION, required=True, default="other", tracking=True)
    description = fields.Text(required=True, help="What the customer complains about.")
    resolution = fields.Text(tracking=True, help="What was done for the customer.")
    state = fields.Selection(STATE_SELECTION, default="open", **STATE_ATTRS)
    date_open = fields.Datetime(
        string="Opened On", required=True, default=fields.Datetime.now, index=True
    )
    date_resolved = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    resolve_hours = fields.Float(
        string="Hours to Resolve",
        compute="_compute_resolve_hours",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Hours from the opening of the complaint to its resolution.",
    )

    @api.depends("date_open", "date_resolved")
    def _compute_resolve_hours(self):
        for complaint in self:
            complaint.resolve_hours = returns.resolve_hours(
                complaint.date_open, complaint.date_resolved
            )

    def _o2c_busy_message(self, names):
        return self.env._(
            "Complaint %(names)s is being processed by someone else; try again in a moment.",
            names=names,
        )

    def action_resolve(self):
        self._o2c_lock()
        for complaint in self:
            if complaint.state != "open":
                raise UserError(self.env._("Complaint %(name)s is not open.", name=complaint.name))
            if not (complaint.resolution or "").strip():
                raise UserError(
                    self.env._(
                        "Complaint %(name)s: write the resolution (field Resolution) first.",
                        name=complaint.name,
                    )
                )
            complaint._o2c_trusted().write(
                {"state": "resolved", "date_resolved": fields.Datetime.now()}
            )
            complaint.order_id.message_post(
                body=plaintext2html(
                    self.env._(
                        "Complaint %(name)s resolved: %(resolution)s",
                        name=complaint.name,
                        resolution=complaint.resolution,
                    )
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_cancel(self):
        self.filtered(lambda c: c.state == "open")._o2c_trusted().write({"state": "cancel"})
        return True

    def action_reopen(self):
        self.filtered(lambda c: c.state != "open")._o2c_trusted().write(
            {"state": "open", "date_resolved": False}
        )
        return True
