from odoo import api, fields, models
from odoo.exceptions import UserError

from .after_sales_guard import check_workflow_fields, trusted

# The attributes of each after-sales model's ``state`` field (its selection is its own).
STATE_ATTRS = {
    "string": "Status",
    "required": True,
    "readonly": True,
    "copy": False,
    "index": True,
    "tracking": True,
}


class O2cAfterSalesMixin(models.AbstractModel):
    """What return requests and complaints share: a numbered, company-bound
    document of a customer with a chatter, a responsible and a state that only
    its own actions move (``_o2c_workflow_fields``, see after_sales_guard).

    Each model completes the shared fields (company and customer are its own or
    its order's) and gives its states."""

    _name = "o2c.after.sales.mixin"
    _description = "After-Sales Document"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    # Written by the document's own actions only.
    _o2c_workflow_fields = ("state",)

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="New", index=True
    )
    company_id = fields.Many2one("res.company", index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user, tracking=True
    )
    # ``state``: each model defines its own selection (with the attributes of
    # ``STATE_ATTRS``); a selection declared here would be overridden, which Odoo warns about.

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_fields(self, vals_list, self._o2c_workflow_fields)
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self._o2c_next_name(vals)
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(self, [vals], self._o2c_workflow_fields)
        self._o2c_check_write(vals)
        return super().write(vals)

    @api.model
    def _o2c_next_name(self, vals):
        """The next reference of the sequence named after the model, in the
        document's company."""
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        return self.env["ir.sequence"].with_company(company).next_by_code(self._name) or "New"

    def _o2c_check_write(self, vals):
        """Hook: refuse ``vals`` the documents' state does not allow."""

    def _o2c_trusted(self):
        """These documents in the context that lets their actions write the
        workflow fields."""
        return trusted(self)

    def _o2c_busy_message(self, names):
        raise NotImplementedError

    def _o2c_lock(self):
        """Lock the documents' rows so that a double click or two users cannot
        take the same step twice, and read their state again."""
        locked = self.try_lock_for_update()
        if locked != self:
            raise UserError(self._o2c_busy_message(", ".join((self - locked).mapped("name"))))
        self.invalidate_recordset()
