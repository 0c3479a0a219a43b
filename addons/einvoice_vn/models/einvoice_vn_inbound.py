import base64
import binascii
import hashlib
import io
import json
import logging
import zipfile

import psycopg2
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import inbound
from .einvoice_vn_archive_mixin import EDIT_CONTEXT_KEY, EDIT_SENTINEL, is_trusted
from .einvoice_vn_product_mapping import name_key
from .einvoice_vn_seller_status import STATUS_CHECK

_logger = logging.getLogger(__name__)

STATES = [("verified", "Verified"), ("warning", "Warnings"), ("failed", "Failed")]
SOURCES = [("upload", "Upload"), ("email", "Email"), ("api", "API"), ("import", "Bill import")]
# Rates of the tax authority's XML -> the l10n_vn chart's purchase tax (template xml id).
# KKKNT (not declared) is no VAT at all: the line has no tax.
TAX_TEMPLATES = {
    "10%": "tax_purchase_vat10",
    "8%": "tax_purchase_vat8",
    "5%": "tax_purchase_vat5",
    "0%": "tax_purchase_vat0",
    "KCT": "tax_purchase_vat_exemption",
}
NO_TAX_RATES = {"KKKNT"}
# Caps on what a ZIP may hold besides the invoice: a rendering of a few MB at most.
MAX_PDF_BYTES = 20 * 1024 * 1024
BILL_CHECK = "bill"
BILL_OK = "bill.ok"
BILL_UNMAPPED = "bill.unmapped"
BILL_NO_TAX = "bill.no_tax"
MESSAGES = {
    BILL_OK: "Draft vendor bill created with %(count)s lines.",
    BILL_UNMAPPED: "Draft vendor bill created; lines without a product (choose one: posting "
    "the bill remembers it for this vendor): %(lines)s.",
    BILL_NO_TAX: "No purchase tax of rate %(rates)s in this company: those lines have no tax.",
}

compact_tax_id = inbound.compact_tax_id


class DuplicateEinvoiceError(UserError):
    """The e-invoice was already received (``earlier``: its record, when known)."""

    def __init__(self, message, earlier=None):
        super().__init__(message)
        self.earlier = earlier


class EinvoiceVnInbound(models.Model):
    """One received supplier e-invoice (one XML file): its archived original, what was read
    from it, its checks and the vendor bill created from it."""

    _name = "einvoice.vn.inbound"
    _description = "Supplier E-invoice"
    _inherit = ["einvoice.vn.archive.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    state = fields.Selection(STATES, required=True, readonly=True, tracking=True, index=True)
    source = fields.Selection(SOURCES, readonly=True)
    file_name = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Original XML", readonly=True)
    file_sha256 = fields.Char(string="XML SHA-256", readonly=True)
    pban = fields.Char(string="Format Version (PBan)", readonly=True)
    message_type = fields.Char(string="T-VAN Message Type", readonly=True)
    template = fields.Char(string="Template (KHMSHDon)", readonly=True)
    symbol = fields.Char(string="Symbol (KHHDon)", readonly=True)
    number = fields.Char(string="Number (SHDon)", readonly=True)
    invoice_date = fields.Date(string="Date (NLap)", readonly=True)
    authority_code = fields.Char(string="Authority Code (MCCQT)", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    exchange_rate = fields.Float(string="Exchange Rate (TGia)", readonly=True, digits=(16, 6))
    seller_tax_id = fields.Char(string="Seller Tax Id", readonly=True, index=True)
    duplicate_key = fields.Char(
        readonly=True,
        help="Seller tax id, KHMSHDon, KHHDon and SHDon as compared (compact tax id, "
        "upper-case symbol, number without leading zeros).",
    )
    seller_name = fields.Char(readonly=True)
    seller_address = fields.Char(readonly=True)
    buyer_tax_id = fields.Char(string="Buyer Tax Id", readonly=True)
    buyer_name = fields.Char(readonly=True)
    amount_untaxed = fields.Monetary(readonly=True)
    amount_tax = fields.Monetary(readonly=True)
    amount_total = fields.Monetary(readonly=True)
    amount_words = fields.Char(string="Amount in Words", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Vendor", readonly=True, index=True, check_company=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Vendor Bill",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
    )
    move_state = fields.Selection(related="move_id.state", string="Bill Status")
    check_ids = fields.One2many("einvoice.vn.inbound.check", "inbound_id", readonly=True)
    failed_check_count = fields.Integer(compute="_compute_check_counts", store=True)
    warning_check_count = fields.Integer(compute="_compute_check_counts", store=True)

    _key_unique = models.UniqueIndex(
        "(company_id, duplicate_key)",
        "This supplier e-invoice (seller tax id, template, symbol and number) was already "
        "received.",
    )

    @api.depends("template", "symbol", "number", "seller_tax_id")
    def _compute_name(self):
        for rec in self:
            rec.name = f"{rec.seller_tax_id} {rec.template or ''}{rec.symbol or ''}-{rec.number}"

    @api.depends("check_ids.result")
    def _compute_check_counts(self):
        for rec in self:
            results = rec.check_ids.mapped("result")
            rec.failed_check_count = results.count("fail")
            rec.warning_check_count = results.count("warning")

    # ------------------------------------------------------------------
    # CRUD: written by the addon's own code only (like issued e-invoices)
    # ------------------------------------------------------------------

    @api.model
    def _einvoice_vn_create_refused(self):
        return self.env._(
            "A supplier e-invoice is recorded by importing its XML file; it cannot be "
            "created directly."
        )

    @api.model
    def _einvoice_vn_write_refused(self, fields):
        return self.env._(
            "The supplier e-invoice fields %(fields)s are read from its archived "
            "XML: they cannot be changed.",
            fields=fields,
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_archived(self):
        """The received XML is an accounting record kept ten years."""
        if not is_trusted(self.env):
            raise AccessError(
                self.env._(
                    "Supplier e-invoices %(names)s are archived with their original XML: they "
                    "cannot be deleted.",
                    names=", ".join(self.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_bill(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "views": [(False, "form")],
        }

    def action_create_bill(self):
        """Create the vendor bill again (when the first one was deleted)."""
        for rec in self:
            if rec.move_id:
                raise UserError(
                    self.env._(
                        "%(name)s already has the vendor bill %(bill)s.",
                        name=rec.name,
                        bill=rec.move_id.display_name,
                    )
                )
            invoice = rec._invoice()
            journal = rec._purchase_journal(rec.company_id)
            bill = self.env["account.move"].create(
                {"move_type": "in_invoice", "journal_id": journal.id}
            )
            rec._fill_bill(bill, invoice)
        return self[:1].action_open_bill() if len(self) == 1 else True

    def action_recheck(self):
        """Run the checks again (e.g. after configuring the status look-up service)."""
        for rec in self:
            invoice = rec._invoice()
            rec._replace_checks(rec._run_checks(invoice, rec.company_id))
            rec._flag_bill()
        return True

    def _invoice(self):
        """The invoice this record was read from, read again from the archived file (a
        T-VAN message may carry several: the one with this record's key)."""
        self.ensure_one()
        invoices = self._read_all(self.file_name, self.attachment_id.raw)
        return next(
            (invoice for invoice in invoices if self._key_of(invoice) == self.duplicate_key),
            invoices[0],
        )

    # ------------------------------------------------------------------
    # External API
    # ------------------------------------------------------------------

    @api.model
    def import_files(self, files):
        """Import supplier e-invoices over the external API.

        :param files: a list of ``{'name': file name, 'content': base64 of an XML or ZIP}``
        :return: one dict per invoice found: ``name`` (file, or ``zip/xml``), ``inbound_id``,
            ``move_id``, ``state`` and ``error`` (the reason it was not imported, or False)
        """
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Importing supplier e-invoices needs invoicing rights."))
        if not isinstance(files, list):
            raise UserError(
                self.env._(
                    "files: a list of {name, content} is expected, not %(value)s.",
                    value=repr(files)[:100],
                )
            )
        results = []
        for index, item in enumerate(files):
            # A bad item is that item's error, in its place; the others are imported.
            try:
                raw = self._api_content(index, item)
            except UserError as exc:
                name = item.get("name") if isinstance(item, dict) else None
                results.append(
                    {
                        "name": name if isinstance(name, str) and name else f"file {index + 1}",
                        "inbound": self.browse(),
                        "error": exc.args[0],
                    }
                )
                continue
            results += self._import_many([(item["name"], raw)], source="api")
        return [
            {
                "name": result["name"],
                "inbound_id": result["inbound"].id or False,
                "move_id": result["inbound"].move_id.id or False,
                "state": result["inbound"].state or "refused",
                "error": result["error"] or False,
            }
            for result in results
        ]

    @api.model
    def _api_content(self, index, item):
        """The bytes of ``files[index]`` of the API, or a UserError naming the item."""
        if not isinstance(item, dict):
            raise UserError(
                self.env._(
                    "files[%(index)s]: a {name, content} dictionary is expected, not %(value)s.",
                    index=index,
                    value=repr(item)[:100],
                )
            )
        name, content = item.get("name"), item.get("content")
        if not isinstance(name, str) or not name.strip():
            raise UserError(
                self.env._(
                    "files[%(index)s]: name must be a file name, not %(value)s.",
                    index=index,
                    value=repr(name)[:100],
                )
            )
        if not isinstance(content, str):
            raise UserError(
                self.env._(
                    "%(file)s: content must be the file in base64, not %(value)s.",
                    file=name,
                    value=repr(content)[:100],
                )
            )
        try:
            return base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            raise UserError(self.env._("%(file)s: content is not base64.", file=name)) from None

    # ------------------------------------------------------------------
    # Intake
    # ------------------------------------------------------------------

    @api.model
    def _import_many(self, files, source="upload", journal=None):
        """Import ``files`` ((name, bytes) pairs, XML or ZIP), each invoice in its own
        savepoint: a file that fails leaves nothing behind and the others go on.

        :return: a list of ``{'name', 'inbound', 'error'}``, one per invoice found
        """
        results = []
        for name, raw in files:
            try:
                documents = self._unpack(name, raw)
            except UserError as exc:
                results.append({"name": name, "inbound": self.browse(), "error": exc.args[0]})
                continue
            except Exception as exc:
                results.append(self._unexpected(name, exc))
                continue
            for doc_name, xml, pdfs in documents:
                try:
                    invoices = self._read_all(doc_name, xml)
                except UserError as exc:
                    results.append(
                        {"name": doc_name, "inbound": self.browse(), "error": exc.args[0]}
                    )
                    continue
                except Exception as exc:
                    results.append(self._unexpected(doc_name, exc))
                    continue
                for invoice in invoices:
                    try:
                        rec = self._import_one(
                            doc_name,
                            xml,
                            source=source,
                            journal=journal,
                            pdfs=pdfs,
                            invoice=invoice,
                        )
                    except (UserError, ValidationError, AccessError) as exc:
                        results.append(
                            {"name": doc_name, "inbound": self.browse(), "error": exc.args[0]}
                        )
                    except psycopg2.OperationalError:
                        raise  # a concurrency error: the whole request is retried
                    except Exception as exc:
                        # Its savepoint is rolled back: nothing of it is left behind.
                        results.append(self._unexpected(doc_name, exc))
                    else:
                        results.append({"name": doc_name, "inbound": rec, "error": False})
        return results

    @api.model
    def _unexpected(self, name, exc):
        """The result of a file whose import failed in an unforeseen way: logged with its
        traceback, reported as that file's error."""
        _logger.exception("Supplier e-invoice %s could not be imported", name)
        return {
            "name": name,
            "inbound": self.browse(),
            "error": self.env._(
                "%(file)s could not be imported (%(error)s): check its content.",
                file=name,
                error=f"{type(exc).__name__}: {exc}"[:300],
            ),
        }

    @api.model
    def _read_all(self, name, xml):
        """The invoices of one XML file (a T-VAN message may carry several)."""
        try:
            return inbound.read_all(xml)
        except inbound.InboundError as exc:
            raise UserError(self.env._("%(file)s: %(error)s", file=name, error=str(exc))) from None

    @api.model
    def _unpack(self, name, raw):
        """The invoices in a file: ``[(name, xml bytes, [(pdf name, pdf bytes)])]``."""
        try:
            documents = inbound.unpack(name, raw)
        except inbound.InboundError as exc:
            # The core's messages about the file itself already start with its name.
            error = str(exc).removeprefix(f"{name}: ")
            raise UserError(self.env._("%(file)s: %(error)s", file=name, error=error)) from None
        if not documents:
            raise UserError(self.env._("%(file)s holds no e-invoice XML.", file=name))
        pdfs = self._zip_pdfs(raw) if zipfile.is_zipfile(io.BytesIO(raw)) else []
        if len(documents) == 1:
            return [(documents[0][0], documents[0][1], pdfs)]
        # Several invoices in one ZIP: a rendering goes with the invoice of the same name.
        return [
            (
                doc_name,
                xml,
                [pdf for pdf in pdfs if self._stem(pdf[0]) == self._stem(doc_name)],
            )
            for doc_name, xml in documents
        ]

    @api.model
    def _stem(self, path):
        """A ZIP member's file name without folder and extension."""
        return path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()

    @api.model
    def _zip_pdfs(self, raw):
        pdfs = []
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for info in archive.infolist():
                if info.filename.lower().endswith(".pdf") and info.file_size <= MAX_PDF_BYTES:
                    pdfs.append((info.filename.rsplit("/", 1)[-1], archive.read(info)))
        return pdfs

    @api.model
    def _import_one(
        self, name, xml, source="upload", journal=None, pdfs=(), bill=None, invoice=None
    ):
        """Read, check and record one e-invoice, and fill a vendor bill from it (``bill``,
        or a new draft on ``journal`` or on the company's purchase journal). All or nothing:
        raises UserError naming the file and the reason when it is not imported."""
        if invoice is None:
            invoices = self._read_all(name, xml)
            if len(invoices) != 1:
                raise UserError(
                    self.env._(
                        "%(file)s holds %(count)s invoices: import it from Supplier "
                        "E-invoices > Upload, which makes one bill for each.",
                        file=name,
                        count=len(invoices),
                    )
                )
            invoice = invoices[0]
        company = self._company_for(name, invoice, journal or (bill and bill.journal_id))
        try:
            with self.env.cr.savepoint():
                self._check_duplicate(name, invoice, company)
                checks = self._run_checks(invoice, company)
                rec = self._record(name, xml, invoice, company, checks, source)
                if not bill:
                    journal = journal or self._purchase_journal(company)
                rec._fill_bill(bill, invoice, pdfs=pdfs, journal=journal)
                rec = rec.with_env(self.env)
        except pg_errors.UniqueViolation:
            # Another transaction recorded the same invoice meanwhile.
            raise DuplicateEinvoiceError(
                self.env._(
                    "%(file)s: e-invoice %(ref)s of seller %(tax_id)s was already received.",
                    file=name,
                    ref=self._ref(invoice),
                    tax_id=invoice.seller_tax_id,
                )
            ) from None
        return rec

    @api.model
    def _key_of(self, invoice):
        return "|".join(invoice.key)

    @api.model
    def _ref(self, invoice):
        return f"{invoice.template or ''}{invoice.symbol or ''}-{invoice.number}"

    @api.model
    def _company_for(self, name, invoice, journal=None):
        """The company the invoice is booked in: the journal's, else the company of the
        user's (allowed) companies the buyer tax id names, else the current company (where
        the buyer check fails). An invoice addressed to another company of the database is
        refused rather than booked in the wrong one."""
        buyer = compact_tax_id(invoice.buyer_tax_id)
        companies = journal.company_id if journal else self.env.companies
        if buyer:
            for company in companies:
                if compact_tax_id(company.vat) == buyer:
                    return company
            target = journal.company_id if journal else self.env.company
            others = (
                self.env["res.company"]
                .sudo()
                .search([("id", "!=", target.id), ("vat", "!=", False)])
            )
            if any(compact_tax_id(other.vat) == buyer for other in others):
                raise UserError(
                    self.env._(
                        "%(file)s: the buyer tax id %(tax_id)s is the one of another company "
                        "of this database, not %(company)s: the invoice was not booked here.",
                        file=name,
                        tax_id=invoice.buyer_tax_id,
                        company=target.name,
                    )
                )
        return journal.company_id if journal else self.env.company

    @api.model
    def _check_duplicate(self, name, invoice, company):
        earlier = self.sudo().search(
            [("company_id", "=", company.id), ("duplicate_key", "=", self._key_of(invoice))],
            limit=1,
        )
        if earlier:
            raise DuplicateEinvoiceError(
                self.env._(
                    "%(file)s: e-invoice %(ref)s of seller %(tax_id)s is a duplicate: it was "
                    "already received on %(date)s (supplier e-invoice %(earlier)s, id %(id)s).",
                    file=name,
                    ref=self._ref(invoice),
                    tax_id=invoice.seller_tax_id,
                    date=fields.Date.to_string(earlier.create_date.date()),
                    earlier=earlier.name,
                    id=earlier.id,
                ),
                earlier=earlier,
            )

    @api.model
    def _run_checks(self, invoice, company):
        """The core's checks plus the seller's status, as values of check lines."""
        buyer_ids = [company.vat] if company.vat else []
        checks = [
            {
                "code": check.code,
                "result": check.result,
                "key": check.key,
                "params": check.params or {},
                "message_en": check.message,
            }
            for check in inbound.verify(
                invoice,
                buyer_ids,
                authority_tax_ids=company._einvoice_vn_authority_tax_ids(),
                trusted_issuers=company._einvoice_vn_trusted_issuers(),
            )
        ]
        status = self.env["einvoice.vn.seller.status"]._check(company, invoice.seller_tax_id)
        checks.append({"code": STATUS_CHECK, **status})
        return checks

    def _replace_checks(self, checks, bill=False):
        """Replace the checks of the file (or, with ``bill``, those of the bill creation)
        by ``checks`` (values of check lines) and set the state they lead to. Check lines are
        written by this code only: users read them."""
        self.ensure_one()
        Check = self.env["einvoice.vn.inbound.check"].sudo()
        old = self.check_ids.filtered(lambda c: (c.code == BILL_CHECK) == bill)
        old.sudo().unlink()
        start = 100 if bill else 1
        Check.create(
            [
                {
                    **vals,
                    "inbound_id": self.id,
                    "sequence": start + index,
                    "params": json.loads(json.dumps(vals.get("params") or {}, default=str)),
                    "message_en": vals.get("message_en") or self._english(vals),
                }
                for index, vals in enumerate(checks)
            ]
        )
        self.invalidate_recordset(["check_ids"])
        self._einvoice_vn_trusted().write(
            {
                "state": self._state_of(
                    [{"result": c.result} for c in self.check_ids if c.code != BILL_CHECK]
                )
            }
        )

    @api.model
    def _english(self, vals):
        template = self.env["einvoice.vn.inbound.check"]._templates().get(vals["key"], vals["key"])
        return template % (vals.get("params") or {})

    @api.model
    def _state_of(self, checks):
        """The verdict on the e-invoice from its checks (the bill's own notes, such as
        unmapped lines, do not make the supplier's invoice doubtful)."""
        results = {check["result"] for check in checks}
        if "fail" in results:
            return "failed"
        if "warning" in results:
            return "warning"
        return "verified"

    @api.model
    def _record(self, name, xml, invoice, company, checks, source):
        """Create the record, its check lines and its archived original (hash stored)."""
        currency = self._currency(name, invoice)
        rec = (
            self._einvoice_vn_trusted()
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "state": self._state_of(checks),
                    "source": source,
                    "file_name": name,
                    "file_sha256": hashlib.sha256(xml).hexdigest(),
                    "pban": invoice.version,
                    "message_type": invoice.message_type or False,
                    "template": invoice.template,
                    "symbol": invoice.symbol,
                    "number": invoice.number,
                    "invoice_date": invoice.date,
                    "authority_code": invoice.authority_code or False,
                    "currency_id": currency.id,
                    "exchange_rate": float(invoice.exchange_rate or 0.0),
                    "seller_tax_id": invoice.seller_tax_id,
                    "duplicate_key": self._key_of(invoice),
                    "seller_name": invoice.seller_name,
                    "seller_address": invoice.seller_address,
                    "buyer_tax_id": invoice.buyer_tax_id,
                    "buyer_name": invoice.buyer_name,
                    "amount_untaxed": float(invoice.total_untaxed or 0),
                    "amount_tax": float(invoice.total_tax or 0),
                    "amount_total": float(invoice.total or 0),
                    "amount_words": invoice.total_words,
                }
            )
        )
        rec._replace_checks(checks)
        attachment = (
            self.env["ir.attachment"]
            .with_context(**{EDIT_CONTEXT_KEY: EDIT_SENTINEL})
            .create(
                {
                    "name": name if name.lower().endswith(".xml") else f"{name}.xml",
                    "raw": xml,
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": rec.id,
                    "company_id": company.id,
                }
            )
        )
        rec.write({"attachment_id": attachment.id})
        return rec

    @api.model
    def _currency(self, name, invoice):
        code = (invoice.currency or "VND").upper()
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency:
            raise UserError(
                self.env._("%(file)s: unknown currency %(code)s (DVTTe).", file=name, code=code)
            )
        if not currency.active:
            raise UserError(
                self.env._(
                    "%(file)s: the currency %(code)s (DVTTe) is not active in this database: "
                    "activate it first.",
                    file=name,
                    code=code,
                )
            )
        return currency

    @api.model
    def _purchase_journal(self, company):
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "purchase"),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._("Company %(company)s has no purchase journal.", company=company.name)
            )
        return journal

    # ------------------------------------------------------------------
    # Vendor bill
    # ------------------------------------------------------------------

    def _vendor(self, invoice, company):
        """The seller as a partner of the company (or shared), created when missing."""
        tax_id = (invoice.seller_tax_id or "").strip()
        Partner = self.env["res.partner"].with_context(active_test=False)
        candidates = {tax_id, f"VN{tax_id}", compact_tax_id(tax_id)}
        partners = Partner.search(
            [*Partner._check_company_domain(company), ("vat", "in", list(candidates))]
        )
        partner = partners.filtered(lambda p: not p.parent_id)[:1] or partners[:1]
        if partner:
            return partner.commercial_partner_id
        vals = {
            "name": invoice.seller_name or tax_id,
            "is_company": True,
            "street": invoice.seller_address or False,
            "country_id": self.env.ref("base.vn").id,
        }
        try:
            with self.env.cr.savepoint():
                return Partner.create({**vals, "vat": tax_id})
        except ValidationError:
            # A tax id base_vat refuses (the seller check already says so): keep it as reference.
            return Partner.create({**vals, "ref": tax_id})

    def _tax_for(self, rate, company):
        """The company's purchase tax for a rate of the XML, or an empty recordset."""
        if rate in NO_TAX_RATES or not rate:
            return self.env["account.tax"]
        template = TAX_TEMPLATES.get(rate)
        if template:
            tax = (
                self.env["account.chart.template"]
                .with_company(company)
                .ref(template, raise_if_not_found=False)
            )
            if tax and tax.active:
                return tax
        if rate == "KCT" or not rate.endswith("%"):
            return self.env["account.tax"]
        try:
            amount = float(rate[:-1])
        except ValueError:
            return self.env["account.tax"]
        return self.env["account.tax"].search(
            [
                *self.env["account.tax"]._check_company_domain(company),
                ("type_tax_use", "=", "purchase"),
                ("amount_type", "=", "percent"),
                ("amount", "=", amount),
                ("price_include", "=", False),
            ],
            limit=1,
        )

    def _product_for(self, partner, company, line):
        """The vendor's product code on the product (supplier info), then what was learnt."""
        if line.code:
            info = self.env["product.supplierinfo"].search(
                [
                    *self.env["product.supplierinfo"]._check_company_domain(company),
                    ("partner_id", "=", partner.id),
                    ("product_code", "=", line.code),
                ],
                limit=1,
            )
            if info:
                return info.product_id or info.product_tmpl_id.product_variant_id
        return self.env["einvoice.vn.product.mapping"]._find_product(
            company, partner, line.code, line.name
        )

    def _uom_for(self, name, product):
        if not name:
            return self.env["uom.uom"]
        uom = self.env["uom.uom"].search([("name", "=ilike", name.strip())], limit=1)
        if uom and product and not uom._has_common_reference(product.uom_id):
            return self.env["uom.uom"]
        return uom

    def _line_vals(self, line, partner, company):
        kind = str(line.kind or "1")
        name = line.name or line.code or "/"
        if kind == "4":
            return {"display_type": "line_note", "name": name}, None
        product = self._product_for(partner, company, line)
        quantity = float(line.quantity or 0)
        price = float(line.unit_price or 0)
        amount = float(line.amount or 0)
        discount_amount = float(line.discount_amount or 0)
        if not quantity:
            quantity, price = 1.0, amount + discount_amount
        discount = discount_amount / (quantity * price) * 100 if quantity * price else 0.0
        if kind == "3":
            # A trade discount line lowers the total.
            price, discount = -abs(price), 0.0
        vals = {
            "name": name,
            "quantity": quantity,
            "price_unit": price,
            "discount": discount,
            "einvoice_vn_supplier_code": line.code or False,
            "einvoice_vn_supplier_name": line.name or False,
        }
        if product:
            vals["product_id"] = product.id
        if uom := self._uom_for(line.uom, product):
            vals["product_uom_id"] = uom.id
        tax = self._tax_for(line.tax_rate, company)
        vals["tax_ids"] = [Command.set(tax.ids)]
        missing_tax = line.tax_rate if (not tax and line.tax_rate in TAX_TEMPLATES) else None
        return vals, (product, missing_tax)

    def _fill_bill(self, bill, invoice, pdfs=(), journal=None):
        """Fill the draft vendor bill ``bill`` from ``invoice`` and link it to the record;
        without ``bill``, create it on ``journal`` in one go (lines and totals computed
        once, as when a user saves a new bill)."""
        self.ensure_one()
        company = self.company_id
        partner = self._vendor(invoice, company)
        lines, unmapped, missing_taxes = [], [], set()
        for line in invoice.lines:
            vals, info = self._line_vals(line, partner, company)
            lines.append(vals)
            if info:
                product, missing_tax = info
                if not product:
                    unmapped.append(line.name or line.code or str(line.sequence))
                if missing_tax:
                    missing_taxes.add(missing_tax)
        header = {
            "partner_id": partner.id,
            "invoice_date": invoice.date,
            "ref": self._ref(invoice),
            "currency_id": self.currency_id.id,
        }
        # The invoice's own rate (TGia, VND per unit of its currency) is the one the law
        # books; Odoo's rate of the day is used only when the invoice has none.
        if (
            self.exchange_rate
            and self.currency_id != company.currency_id
            and company.currency_id.name == "VND"
        ):
            header["invoice_currency_rate"] = 1 / self.exchange_rate
        header["invoice_line_ids"] = [Command.create(vals) for vals in lines]
        trusted = {EDIT_CONTEXT_KEY: EDIT_SENTINEL}
        if bill:
            with bill._get_edi_creation() as move:
                move.with_context(skip_is_manually_modified=True).write(header)
            bill.with_context(skip_is_manually_modified=True, **trusted).write(
                {"einvoice_vn_inbound_id": self.id}
            )
        else:
            Move = self.env["account.move"].with_company(company)
            with Move._disable_discount_precision():
                bill = Move.with_context(skip_is_manually_modified=True, **trusted).create(
                    {
                        **header,
                        "move_type": "in_invoice",
                        "journal_id": journal.id,
                        "einvoice_vn_inbound_id": self.id,
                    }
                )
            bill = bill.with_env(self.env)
        bill_checks = [
            {
                "code": BILL_CHECK,
                "result": "warning" if unmapped else "pass",
                "key": BILL_UNMAPPED if unmapped else BILL_OK,
                "params": {"lines": "; ".join(unmapped)} if unmapped else {"count": len(lines)},
            }
        ]
        if missing_taxes:
            bill_checks.append(
                {
                    "code": BILL_CHECK,
                    "result": "warning",
                    "key": BILL_NO_TAX,
                    "params": {"rates": ", ".join(sorted(missing_taxes))},
                }
            )
        self._replace_checks(bill_checks, bill=True)
        self._einvoice_vn_trusted().write({"move_id": bill.id, "partner_id": partner.id})
        self._attach_to_bill(bill, pdfs)
        self._flag_bill()

    def _attach_to_bill(self, bill, pdfs):
        """A copy of the XML (the archived original stays on this record) and the PDF."""
        Attachment = self.env["ir.attachment"]
        existing = Attachment.search([("res_model", "=", "account.move"), ("res_id", "=", bill.id)])
        names = set(existing.mapped("name"))
        vals = []
        if self.attachment_id.name not in names:
            vals.append(
                {
                    "name": self.attachment_id.name,
                    "raw": self.attachment_id.raw,
                    "mimetype": "application/xml",
                }
            )
        vals += [
            {"name": pdf_name, "raw": raw, "mimetype": "application/pdf"}
            for pdf_name, raw in pdfs
            if pdf_name not in names
        ]
        if vals:
            attachments = Attachment.create(
                [{**v, "res_model": "account.move", "res_id": bill.id} for v in vals]
            )
            pdf = attachments.filtered(lambda a: a.mimetype == "application/pdf")[:1]
            if pdf and not bill.message_main_attachment_id:
                bill.with_context(skip_is_manually_modified=True).message_main_attachment_id = pdf
        bill.message_post(
            body=self.env._(
                "Created from the supplier e-invoice %(name)s (%(state)s).",
                name=self.name,
                state=dict(self._fields["state"]._description_selection(self.env))[self.state],
            ),
            attachment_ids=[],
        )

    def _flag_bill(self):
        """A failed check puts an activity on the bill, for someone to look at it."""
        for rec in self.filtered(lambda r: r.move_id and r.state == "failed"):
            failed = rec.check_ids.filtered(lambda c: c.result == "fail")
            # Mail arrives as OdooBot: give the activity to a person who can act on it.
            user = rec.move_id.invoice_user_id or self.env.user
            if not (user.active and user._is_internal()):
                user = rec.create_uid if rec.create_uid.active else self.env.ref("base.user_admin")
            rec.move_id.activity_schedule(
                "einvoice_vn.mail_activity_type_inbound_failed",
                summary=self.env._("Supplier e-invoice checks failed"),
                note="; ".join(f"{c.name}: {c.message}" for c in failed),
                user_id=user.id,
            )

    # ------------------------------------------------------------------
    # Learning
    # ------------------------------------------------------------------

    @api.model
    def _learn_from_bills(self, bills):
        """Posting a bill created from an e-invoice confirms its lines' products."""
        Mapping = self.env["einvoice.vn.product.mapping"].sudo()
        for bill in bills.filtered("einvoice_vn_inbound_id"):
            partner = bill.commercial_partner_id
            for line in bill.invoice_line_ids:
                if line.product_id and name_key(line.einvoice_vn_supplier_name):
                    Mapping._learn(
                        bill.company_id,
                        partner,
                        line.einvoice_vn_supplier_code,
                        line.einvoice_vn_supplier_name,
                        line.product_id,
                    )
