from odoo import api, models
from odoo.exceptions import UserError


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_einvoice_archive(self):
        """Issued e-invoice XML is kept ten years: refuse deleting it."""
        archived = self.filtered(lambda a: a.res_model == "einvoice.vn.document")
        if archived:
            raise UserError(
                self.env._(
                    "%(files)s belong to issued e-invoices, which must be archived for ten "
                    "years: they cannot be deleted.",
                    files=", ".join(archived.mapped("name")),
                )
            )

    def write(self, vals):
        if {"raw", "datas", "db_datas", "store_fname"} & set(vals) and any(
            a.res_model == "einvoice.vn.document" for a in self
        ):
            raise UserError(self.env._("The XML of an issued e-invoice cannot be changed."))
        return super().write(vals)
