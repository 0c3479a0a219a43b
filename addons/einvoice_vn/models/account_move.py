import io
import logging
import re
import zipfile

from lxml import etree

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import inbound
from .einvoice_vn_archive_mixin import is_trusted
from .einvoice_vn_inbound import DuplicateEinvoiceError

_logger = logging.getLogger(__name__)

# Root elements of a Vietnamese e-invoice: a bare invoice or a T-VAN message around it.
INBOUND_ROOTS = {"HDon", "TDiep"}
INBOUND_TYPE = "einvoice_vn.inbound"
ZIP_TYPE = "einvoice_vn.zip"
# Comments and processing instructions skipped to find the root element's name.
PROLOG_NOISE = re.compile(rb"<\?.*?\?>|<!--.*?-->", re.S)
FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
SNIFF_BYTES = 64 * 1024
# Other XML (UBL, Factur-X...) may embed its PDF: a larger cap than for e-invoices.
MAX_OTHER_XML_BYTES = 100 * 1024 * 1024

# The invoice's copies of its e-invoice: written by issuing only, like the document itself.
EINVOICE_FIELDS = {
    "einvoice_vn_document_ids",
    "einvoice_vn_document_id",
    "einvoice_vn_state",
    "einvoice_vn_authority_code",
    "einvoice_vn_inbound_id",
}


def sniff_xml(raw):
    """``(has_doctype, root name)`` of what looks like an XML file, without parsing it
    (UTF-16 and UTF-32 files included, with or without byte order mark). Only a hint for
    the file type: every XML file is parsed with the hardened parser anyway."""
    head = inbound.xml_text((raw or b"")[: SNIFF_BYTES * 4])
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return False, None
    has_doctype = b"<!DOCTYPE" in head
    match = FIRST_TAG.search(PROLOG_NOISE.sub(b"", head[:SNIFF_BYTES]))
    root = match.group(2).decode() if match else None
    if has_doctype and root == "DOCTYPE":
        root = None
    return has_doctype, root


class AccountMove(models.Model):
    _inherit = "account.move"

    einvoice_vn_document_ids = fields.One2many(
        "einvoice.vn.document", "move_id", string="E-invoices", readonly=True
    )
    einvoice_vn_document_id = fields.Many2one(
        "einvoice.vn.document",
        string="E-invoice",
        compute="_compute_einvoice_vn_document_id",
        store=True,
    )
    einvoice_vn_state = fields.Selection(
        related="einvoice_vn_document_id.state", string="E-invoice Status", store=True
    )
    einvoice_vn_authority_code = fields.Char(
        related="einvoice_vn_document_id.authority_code", string="Authority Code (MCCQT)"
    )
    einvoice_vn_needed = fields.Boolean(compute="_compute_einvoice_vn_needed")
    einvoice_vn_inbound_id = fields.Many2one(
        "einvoice.vn.inbound",
        string="Supplier E-invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    einvoice_vn_inbound_state = fields.Selection(
        related="einvoice_vn_inbound_id.state", string="Supplier E-invoice Checks", store=True
    )
    einvoice_vn_inbound_check_ids = fields.One2many(
        related="einvoice_vn_inbound_id.check_ids", string="Supplier E-invoice Check Results"
    )
    einvoice_vn_year_warning = fields.Char(
        string="E-invoice Year Warning", compute="_compute_einvoice_vn_year_warning"
    )

    @api.depends("einvoice_vn_document_ids")
    def _compute_einvoice_vn_document_id(self):
        for move in self:
            move.einvoice_vn_document_id = move.einvoice_vn_document_ids[:1]

    @api.depends("journal_id.einvoice_vn_enabled", "move_type", "state")
    def _compute_einvoice_vn_needed(self):
        for move in self:
            move.einvoice_vn_needed = (
                move.journal_id.einvoice_vn_enabled
                and move.move_type in ("out_invoice", "out_refund")
                and move.state == "posted"
            )

    def _einvoice_vn_check_fields(self, fnames):
        forbidden = EINVOICE_FIELDS & set(fnames)
        if forbidden and not is_trusted(self.env):
            raise AccessError(
                self.env._(
                    "The e-invoice fields %(fields)s of an invoice are set by issuing it: "
                    "they cannot be changed.",
                    fields=", ".join(sorted(forbidden)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._einvoice_vn_check_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._einvoice_vn_check_fields(vals)
        return super().write(vals)

    @api.depends("journal_id.einvoice_vn_symbol_id", "einvoice_vn_state", "move_type")
    def _compute_einvoice_vn_year_warning(self):
        for move in self:
            pending = move.einvoice_vn_state not in (
                "accepted",
                "cancelled",
                "adjusted",
                "replaced",
            )
            move.einvoice_vn_year_warning = (
                move.journal_id.einvoice_vn_enabled
                and move.move_type in ("out_invoice", "out_refund")
                and pending
                and move.journal_id.einvoice_vn_year_warning
            )

    @api.depends("einvoice_vn_year_warning", "einvoice_vn_inbound_state")
    def _compute_alerts(self):
        return super()._compute_alerts()

    def _get_alerts(self):
        # Shown in the invoice's banner (Odoo's alerts) while it waits to be issued.
        alerts = super()._get_alerts()
        if self.einvoice_vn_year_warning:
            alerts["einvoice_vn_year_warning"] = {
                "level": "warning",
                "message": self.einvoice_vn_year_warning,
            }
        if self.einvoice_vn_inbound_state == "failed":
            alerts["einvoice_vn_inbound_failed"] = {
                "level": "danger",
                "message": self.env._(
                    "Checks of the supplier e-invoice failed: see the E-invoice Checks tab "
                    "before paying this bill."
                ),
            }
        return alerts

    def _einvoice_vn_locked(self):
        """Whether the invoice's e-invoice is issued, or signed and possibly at the
        provider: the invoice must stay as it was sent."""
        self.ensure_one()
        doc = self.einvoice_vn_document_id
        return doc.state in ("accepted", "adjusted", "replaced") or (
            bool(doc.xml_attachment_id) and doc.state in ("signed", "to_send", "error")
        )

    def _need_cancel_request(self):
        # EXTEND 'account', as l10n_vn_edi_viettel does: an issued invoice is corrected by
        # an adjustment, a replacement or a cancellation, never reset to draft.
        return super()._need_cancel_request() or self._einvoice_vn_locked()

    @api.depends("einvoice_vn_state", "einvoice_vn_document_id.xml_attachment_id")
    def _compute_need_cancel_request(self):
        # EXTEND 'account' to add dependencies
        return super()._compute_need_cancel_request()

    @api.depends("need_cancel_request")
    def _compute_show_reset_to_draft_button(self):
        # EXTEND 'account'
        res = super()._compute_show_reset_to_draft_button()
        self.filtered(lambda m: m._einvoice_vn_locked()).show_reset_to_draft_button = False
        return res

    def button_draft(self):
        # EXTEND 'account'
        for move in self:
            if move._einvoice_vn_locked():
                raise UserError(
                    self.env._(
                        "Invoice %(move)s has an e-invoice that is issued or sent to the "
                        "provider (status: %(state)s): it cannot be reset to draft. Correct it "
                        "with an adjustment or a replacement e-invoice, or cancel the e-invoice.",
                        move=move.display_name,
                        state=dict(
                            move.einvoice_vn_document_id._fields["state"]._description_selection(
                                self.env
                            )
                        ).get(move.einvoice_vn_state),
                    )
                )
        return super().button_draft()

    def button_request_cancel(self):
        # EXTEND 'account': the e-invoice's own form holds cancel, adjust and replace.
        if self._einvoice_vn_locked():
            return {
                "type": "ir.actions.act_window",
                "res_model": "einvoice.vn.document",
                "res_id": self.einvoice_vn_document_id.id,
                "view_mode": "form",
            }
        return super().button_request_cancel()

    def _einvoice_vn_documents(self, kind="original", origin=None, reason=None):
        """The move's current e-invoice, created in draft when it has none."""
        documents = self.env["einvoice.vn.document"]
        for move in self:
            if not move.einvoice_vn_needed:
                raise UserError(
                    self.env._(
                        "%(move)s is not a posted customer invoice of a journal with "
                        "Vietnamese e-invoices.",
                        move=move.display_name,
                    )
                )
            doc = move.einvoice_vn_document_id
            if not doc or doc.state in ("cancelled",):
                if move.move_type == "out_refund" and kind != "adjustment":
                    raise UserError(
                        self.env._(
                            "Credit note %(move)s cannot be issued as an e-invoice of its own: "
                            "issue it as the adjustment of the invoice it corrects (Adjust / "
                            "Replace E-invoice on that invoice).",
                            move=move.display_name,
                        )
                    )
                doc = documents._einvoice_vn_trusted().create(
                    {
                        "move_id": move.id,
                        "kind": kind,
                        "origin_id": origin.id if origin else False,
                        "reason": reason,
                    }
                )
            documents |= doc
        return documents

    def action_einvoice_vn_issue(self):
        """Sign and send the e-invoice of these invoices now."""
        self._einvoice_vn_documents().action_send_now()
        return True

    def action_einvoice_vn_open_document(self):
        """The e-invoice of this invoice, in its own form."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "einvoice.vn.document",
            "res_id": self.einvoice_vn_document_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_einvoice_vn_queue(self):
        """Bulk issue: queue the e-invoices for the background job."""
        self._einvoice_vn_documents().action_queue()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(count)s e-invoices queued; follow them in Vietnam E-invoices.",
                    count=len(self),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _einvoice_vn_issue_correction(self, origin_move, kind, reason):
        """Issue this move as the adjustment or replacement of ``origin_move``'s
        e-invoice (TTHDLQuan references the original)."""
        self.ensure_one()
        origin = origin_move.einvoice_vn_document_id
        if not origin or origin.state not in ("accepted", "adjusted"):
            raise UserError(
                self.env._(
                    "%(move)s has no issued e-invoice to correct.", move=origin_move.display_name
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("An adjustment or replacement needs a reason."))
        if origin.notice_state in ("to_send", "sent"):
            # A new notice would take the place of the one still on its way.
            raise UserError(
                self.env._(
                    "The 04/SS-HĐĐT notice %(notice)s of %(move)s is still waiting for the "
                    "tax authority (%(state)s): correct the invoice again once it is answered.",
                    notice=origin.notice_attachment_id.name or origin.notice_message_id,
                    move=origin_move.display_name,
                    state=dict(origin._fields["notice_state"]._description_selection(self.env)).get(
                        origin.notice_state
                    ),
                )
            )
        unfinished = self.env["einvoice.vn.document"].search(
            [
                ("origin_id", "=", origin.id),
                ("move_id", "!=", self.id),
                ("state", "not in", ("accepted", "cancelled", "rejected")),
            ],
            limit=1,
        )
        if unfinished:
            # Its notice would come after this one's and find it still waiting.
            raise UserError(
                self.env._(
                    "%(move)s is already being corrected by %(ref)s (%(state)s): send or "
                    "cancel that correction first.",
                    move=origin_move.display_name,
                    ref=unfinished.display_ref or unfinished.move_id.display_name,
                    state=dict(unfinished._fields["state"]._description_selection(self.env)).get(
                        unfinished.state
                    ),
                )
            )
        # The wizard's domain is not a check: over RPC any move can be passed.
        if self == origin_move:
            raise UserError(
                self.env._(
                    "%(move)s cannot adjust or replace itself: choose another invoice or "
                    "credit note as the correcting document.",
                    move=self.display_name,
                )
            )
        if self.company_id != origin_move.company_id:
            raise UserError(
                self.env._(
                    "%(move)s belongs to company %(company)s, the invoice it corrects "
                    "(%(origin)s) to %(origin_company)s.",
                    move=self.display_name,
                    company=self.company_id.name,
                    origin=origin_move.display_name,
                    origin_company=origin_move.company_id.name,
                )
            )
        if self.commercial_partner_id != origin_move.commercial_partner_id:
            raise UserError(
                self.env._(
                    "%(move)s is for customer %(partner)s, the invoice it corrects "
                    "(%(origin)s) for %(origin_partner)s: a correction is for the same "
                    "customer.",
                    move=self.display_name,
                    partner=self.commercial_partner_id.display_name,
                    origin=origin_move.display_name,
                    origin_partner=origin_move.commercial_partner_id.display_name,
                )
            )
        own = self.einvoice_vn_document_id
        if own and own.state != "cancelled":
            raise UserError(
                self.env._(
                    "%(move)s already has an e-invoice (%(ref)s): choose an invoice or credit "
                    "note without one as the correcting document.",
                    move=self.display_name,
                    ref=own.display_ref,
                )
            )
        if kind == "replacement" and self.move_type != "out_invoice":
            raise UserError(
                self.env._(
                    "%(move)s is a credit note: a replacement e-invoice is a complete new "
                    "invoice, choose a customer invoice (or issue the credit note as an "
                    "adjustment).",
                    move=self.display_name,
                )
            )
        if self.reversed_entry_id and self.reversed_entry_id != origin_move:
            raise UserError(
                self.env._(
                    "Credit note %(move)s reverses %(reversed)s, not %(origin)s.",
                    move=self.display_name,
                    reversed=self.reversed_entry_id.display_name,
                    origin=origin_move.display_name,
                )
            )
        # The original's 04/SS notice is made once the correction is issued: check now,
        # before anything is sent, that it can be (tax office, certificate...).
        origin._einvoice_vn_notice_root("replace" if kind == "replacement" else "adjust", reason)
        documents = self._einvoice_vn_documents(kind=kind, origin=origin, reason=reason)
        documents.action_send_now()
        return documents

    # ------------------------------------------------------------------
    # Supplier e-invoices: Odoo's import framework (Upload, mail alias)
    # ------------------------------------------------------------------

    def _post(self, soft=True):
        # EXTEND 'account': a posted bill from an e-invoice confirms its lines' products.
        posted = super()._post(soft)
        self.env["einvoice.vn.inbound"]._learn_from_bills(
            posted.filtered(lambda m: m.move_type == "in_invoice")
        )
        return posted

    def _get_xml_tree(self, file_data):
        """Every XML file is parsed with the hardened parser (no DTD, no entities, no
        network, size and depth caps), whatever its encoding: Odoo's own parse resolves
        file:// entities, and sniffing the bytes for a DOCTYPE can be fooled by an encoding.
        A file it refuses has no tree (the e-invoice decoder then says why)."""
        # EXTENDS 'account': replaces its etree.fromstring for XML files
        if self._einvoice_vn_is_xml(file_data):
            root = sniff_xml(file_data["raw"])[1]
            cap = inbound.MAX_FILE_BYTES if root in INBOUND_ROOTS else MAX_OTHER_XML_BYTES
            try:
                return inbound.parse_xml(file_data["raw"], max_bytes=cap)
            except inbound.InboundError as exc:
                _logger.info("XML file %s refused: %s", file_data["name"], exc)
                return None
        return super()._get_xml_tree(file_data)

    @api.model
    def _einvoice_vn_is_xml(self, file_data):
        mimetype = file_data.get("mimetype") or ""
        return bool(file_data.get("raw")) and (
            mimetype.endswith("/xml")
            or "text/plain" in mimetype
            or (file_data.get("name") or "").lower().endswith(".xml")
        )

    @api.model
    def _einvoice_vn_is_zip(self, file_data):
        mimetype = file_data.get("mimetype") or ""
        return bool(file_data.get("raw")) and (
            "zip" in mimetype or (file_data.get("name") or "").lower().endswith(".zip")
        )

    def _get_import_file_type(self, file_data):
        """Identify Vietnamese e-invoices (also when they cannot be parsed: the decoder then
        says why) and ZIP files, which may hold one with its PDF."""
        # EXTENDS 'account'
        tree = file_data.get("xml_tree")
        if tree is not None and etree.QName(tree).localname in INBOUND_ROOTS:
            return INBOUND_TYPE
        if (
            tree is None
            and self._einvoice_vn_is_xml(file_data)
            and sniff_xml(file_data["raw"])[1] in INBOUND_ROOTS
        ):
            return INBOUND_TYPE
        if self._einvoice_vn_is_zip(file_data) and zipfile.is_zipfile(io.BytesIO(file_data["raw"])):
            return ZIP_TYPE
        return super()._get_import_file_type(file_data)

    def _unwrap_attachment(self, file_data, recurse=True):
        """The e-invoices of a ZIP become embedded files; its PDF renderings become
        attachments (they are shown on the bill)."""
        # EXTENDS 'account'
        if file_data["import_file_type"] != ZIP_TYPE:
            return super()._unwrap_attachment(file_data, recurse)
        # The framework unwraps the same files again (e.g. to notify the journal's
        # subscribers): create the PDF attachments once.
        if "einvoice_vn_embedded" in file_data:
            return file_data["einvoice_vn_embedded"]
        try:
            documents = inbound.unpack(file_data["name"], file_data["raw"])
        except inbound.InboundError as exc:
            _logger.info("ZIP file %s not unpacked: %s", file_data["name"], exc)
            documents = []
        embedded = []
        for name, xml in documents:
            embedded_file_data = {
                "name": name,
                "raw": xml,
                "mimetype": "application/xml",
                "attachment": None,
                "origin_attachment": file_data["origin_attachment"],
                "origin_import_file_type": file_data["origin_import_file_type"],
            }
            embedded_file_data["xml_tree"] = self._get_xml_tree(embedded_file_data)
            embedded_file_data["import_file_type"] = self._get_import_file_type(embedded_file_data)
            embedded.append(embedded_file_data)
        if documents:
            pdfs = self.env["einvoice.vn.inbound"]._zip_pdfs(file_data["raw"])
            attachments = self.env["ir.attachment"].create(
                [{"name": name, "raw": raw, "mimetype": "application/pdf"} for name, raw in pdfs]
            )
            for attachment in attachments:
                embedded.append(
                    {
                        "name": attachment.name,
                        "raw": attachment.raw,
                        "mimetype": attachment.mimetype,
                        "attachment": attachment,
                        "origin_attachment": file_data["origin_attachment"],
                        "origin_import_file_type": file_data["origin_import_file_type"],
                        "xml_tree": None,
                        "import_file_type": "pdf",
                    }
                )
        file_data["einvoice_vn_embedded"] = embedded
        return embedded

    def _get_edi_decoder(self, file_data, new=False):
        # EXTENDS 'account'
        if file_data["import_file_type"] == INBOUND_TYPE and (
            not self or self.move_type == "in_invoice"
        ):
            return {"priority": 30, "decoder": self._einvoice_vn_decode}
        return super()._get_edi_decoder(file_data, new)

    def _einvoice_vn_decode(self, invoice, file_data, new=False):
        """Decoder of Odoo's import framework: read, check and record the e-invoice, and
        fill the (new, empty) bill from it. Returns why it was not imported, or None."""
        if reason := invoice._reason_cannot_decode_has_invoice_lines():
            return reason
        if invoice.einvoice_vn_inbound_id:
            return self.env._(
                "The bill was already created from %(name)s.",
                name=invoice.einvoice_vn_inbound_id.name,
            )
        source = "email" if self.env.context.get("from_alias") else "import"
        try:
            invoice.env["einvoice.vn.inbound"]._import_one(
                file_data["name"], file_data["raw"], source=source, bill=invoice
            )
        except DuplicateEinvoiceError as exc:
            invoice._einvoice_vn_cancel_duplicate(exc, file_data["name"], new)
            return exc.args[0]
        except (UserError, ValidationError) as exc:
            return exc.args[0]
        return None

    def _einvoice_vn_cancel_duplicate(self, exc, file_name, new):
        """An e-invoice received again (Upload, mail alias): the empty draft Odoo made
        for it is cancelled, so nobody enters and pays it a second time by hand; the
        first record says it came again."""
        self.ensure_one()
        if new and self.state == "draft" and not self.line_ids:
            self.button_cancel()
        if exc.earlier:
            exc.earlier.sudo().message_post(
                body=self.env._(
                    "Received again as %(file)s (%(bill)s): not imported a second time.",
                    file=file_name,
                    bill=self.display_name,
                )
            )
