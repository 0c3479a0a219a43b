from odoo import api, models
from odoo.exceptions import AccessError

# The fields of an archived e-invoice record (issued or received) and its files are written
# only by this addon's own code, as OCA queue_job guards its jobs: that code puts this
# object in the context. A context that comes over RPC is JSON and cannot hold it, whoever
# calls (the admin included).
EDIT_CONTEXT_KEY = "_einvoice_vn_edit_sentinel"
EDIT_SENTINEL = object()


def is_trusted(env):
    """Whether ``env`` runs the addon's own code, which may write the archive."""
    return env.context.get(EDIT_CONTEXT_KEY) is EDIT_SENTINEL


class EinvoiceVnArchiveMixin(models.AbstractModel):
    """Records of the e-invoice archive: created and written by the addon's own code only.
    Every field this addon declares on them is protected; chatter, followers and
    activities stay open to users."""

    _name = "einvoice.vn.archive.mixin"
    _description = "E-invoice archive record"

    @api.model
    def _einvoice_vn_protected_fields(self):
        return {name for name, field in self._fields.items() if field._module == "einvoice_vn"}

    def _einvoice_vn_trusted(self):
        """These records in the context that lets the addon's own code write them."""
        return self.with_context(**{EDIT_CONTEXT_KEY: EDIT_SENTINEL})

    @api.model
    def _einvoice_vn_create_refused(self):
        """Message of the AccessError raised on a direct create."""
        raise NotImplementedError

    @api.model
    def _einvoice_vn_write_refused(self, fields):
        """Message of the AccessError raised on writing the protected ``fields``."""
        raise NotImplementedError

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env):
            raise AccessError(self._einvoice_vn_create_refused())
        return super().create(vals_list)

    def write(self, vals):
        if not is_trusted(self.env):
            protected = sorted(set(vals) & self._einvoice_vn_protected_fields())
            if protected:
                raise AccessError(self._einvoice_vn_write_refused(", ".join(protected)))
        return super().write(vals)
