import base64

from odoo import api, models
from odoo.exceptions import AccessError

from .einvoice_vn_archive_mixin import is_trusted

# Issued e-invoices and received supplier e-invoices: both archives are kept ten years.
ARCHIVE_MODELS = ("einvoice.vn.document", "einvoice.vn.inbound")
# What makes an archived file what it is: its content and the document it belongs to.
# Writing ``res_model`` or ``res_id`` first would move the file out of the archive, after
# which nothing guards its content: both are refused like the content itself.
ARCHIVE_FIELDS = {
    "res_model",
    "res_id",
    "res_field",
    "raw",
    "datas",
    "db_datas",
    "store_fname",
    "checksum",
    "file_size",
    "mimetype",
    "type",
    "url",
    "company_id",
}
CONTENT_FIELDS = {"raw", "datas", "mimetype"}


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _einvoice_vn_archived(self):
        return self.filtered(lambda a: a.res_model in ARCHIVE_MODELS)

    def _einvoice_vn_same_content(self, vals):
        """Whether ``vals`` only writes the content each attachment already has, as
        Odoo does when it moves files to another storage (``force_storage``)."""
        if set(vals) - CONTENT_FIELDS:
            return False
        for attachment in self:
            if "mimetype" in vals and vals["mimetype"] != attachment.mimetype:
                return False
            if "raw" in vals:
                raw = vals["raw"] or b""
                new = raw.encode() if isinstance(raw, str) else raw
            elif "datas" in vals:
                new = base64.b64decode(vals["datas"] or b"")
            else:
                continue
            if self._compute_checksum(new) != attachment.checksum:
                return False
        return True

    def write(self, vals):
        if (
            ARCHIVE_FIELDS & set(vals)
            and not is_trusted(self.env)
            and (archived := self.sudo()._einvoice_vn_archived())
            and not archived._einvoice_vn_same_content(vals)
        ):
            raise AccessError(
                self.env._(
                    "%(files)s belong to the archive of e-invoices: their content and "
                    "the e-invoice they belong to cannot be changed (%(fields)s).",
                    files=", ".join(archived.mapped("name")),
                    fields=", ".join(sorted(ARCHIVE_FIELDS & set(vals))),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_einvoice_archive(self):
        """Issued and received e-invoice XML is kept ten years: refuse deleting it, to
        everyone."""
        archived = self.sudo()._einvoice_vn_archived()
        if archived and not is_trusted(self.env):
            raise AccessError(
                self.env._(
                    "%(files)s belong to e-invoices, which must be archived for ten "
                    "years: they cannot be deleted.",
                    files=", ".join(archived.mapped("name")),
                )
            )
