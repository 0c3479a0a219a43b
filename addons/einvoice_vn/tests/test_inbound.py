import base64
import hashlib

from cryptography.hazmat.primitives import serialization

from odoo import Command, sql_db
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from . import supplier_invoices as factory
from .inbound_common import InboundCommon


@tagged("post_install", "-at_install")
class TestInboundBill(InboundCommon):
    def test_signed_invoice_becomes_bill_with_products_taxes_and_amounts(self):
        data = factory.make_invoice()
        wizard = self._upload(("HD_0000042.xml", data))
        self.assertEqual(wizard.state, "done")
        self.assertFalse(wizard.result_ids.error)
        inbound = wizard.result_ids.inbound_id
        bill = inbound.move_id
        self.assertEqual(inbound.state, "verified")
        self.assertEqual(inbound.file_sha256, hashlib.sha256(data).hexdigest())
        self.assertEqual(inbound.attachment_id.raw, data)
        self.assertEqual(inbound.attachment_id.res_model, "einvoice.vn.inbound")
        checks = self._checks(inbound)
        for code in ("seller_signature", "certificate", "buyer_tax_id", "seller_tax_id", "amounts"):
            self.assertEqual(checks[code].result, "pass", f"{code}: {checks[code].message}")
        self.assertEqual(checks["seller_status"].result, "not_checked")
        self.assertIn("no look-up service", checks["seller_status"].message)

        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.journal_id, self.journal)
        self.assertEqual(bill.partner_id, self.vendor)
        self.assertEqual(bill.ref, f"1{inbound.symbol}-42")
        self.assertEqual(bill.invoice_date, factory.DEFAULT_DATE)
        self.assertEqual(bill.einvoice_vn_inbound_id, inbound)
        fish, coffee = bill.invoice_line_ids.sorted("sequence")
        self.assertEqual(fish.product_id, self.fish_sauce)  # the vendor's product code NM500
        self.assertEqual((fish.quantity, fish.price_unit), (10, 85000))
        self.assertEqual(fish.tax_ids, self.tax_10)
        self.assertFalse(coffee.product_id)  # nothing known yet: the supplier's name stays
        self.assertEqual(coffee.name, "Cà phê rang xay 250g")
        self.assertEqual(coffee.tax_ids, self.tax_8)
        self.assertAlmostEqual(coffee.price_subtotal, 342000)
        self.assertAlmostEqual(bill.amount_untaxed, 1192000)
        self.assertAlmostEqual(bill.amount_tax, 112360)
        self.assertAlmostEqual(bill.amount_total, 1304360)
        self.assertEqual(bill.amount_total, inbound.amount_total)
        xml_copy = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertEqual(xml_copy.raw, data)
        # The unmapped line is reported, not silently left.
        bill_check = inbound.check_ids.filtered(lambda c: c.code == "bill")
        self.assertEqual(bill_check.result, "warning")
        self.assertIn("Cà phê rang xay 250g", bill_check.message)
        self.assertEqual(bill.einvoice_vn_inbound_check_ids, inbound.check_ids)

    def test_sha1_signature_passes(self):
        inbound = self._import_one(factory.make_invoice(digest="sha1"))
        check = self._checks(inbound)["seller_signature"]
        self.assertEqual(check.result, "pass", check.message)
        self.assertIn("sha1", check.message.lower())

    def test_tdiep_202_with_authority_signature_is_accepted(self):
        hdon = factory.make_invoice(with_code=True)
        data = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
        inbound = self._import_one(data, name="TDiep_202.xml")
        self.assertEqual(inbound.message_type, "202")
        self.assertEqual(len(inbound.authority_code), 34)
        check = self._checks(inbound)["authority"]
        self.assertEqual(check.result, "pass", check.message)
        self.assertEqual(inbound.state, "verified")
        self.assertTrue(inbound.move_id)

    def test_zip_with_xml_and_pdf(self):
        data = factory.make_invoice()
        inbound = self._import_one(factory.zip_with_pdf(data), name="HD_0000042.zip")
        self.assertEqual(inbound.attachment_id.raw, data)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", inbound.move_id.id)]
        )
        self.assertEqual(
            sorted(attachments.mapped("mimetype")), ["application/pdf", "application/xml"]
        )
        self.assertEqual(inbound.move_id.message_main_attachment_id.mimetype, "application/pdf")

    def test_foreign_currency_uses_the_invoice_rate(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        lines = [{"code": "NM500", "name": "Fish sauce", "uom": "Chai", "quantity": 10,
                  "price": 4, "tax": "10%"}]  # fmt: skip
        inbound = self._import_one(factory.make_invoice(currency="USD", lines=lines))
        bill = inbound.move_id
        self.assertEqual(inbound.exchange_rate, 25000)
        self.assertEqual(bill.currency_id, usd)
        self.assertAlmostEqual(bill.amount_total, 44)
        self.assertAlmostEqual(bill.amount_total_signed, -44 * 25000)

    def test_zero_rate_exempt_and_undeclared_lines_keep_apart(self):
        lines = [
            {"code": "A", "name": "Export service", "uom": "Lần", "quantity": 1,
             "price": 100000, "tax": "0%"},
            {"code": "B", "name": "Textbook", "uom": "Cuốn", "quantity": 2,
             "price": 50000, "tax": "KCT"},
            {"code": "C", "name": "Undeclared", "uom": "Cái", "quantity": 1,
             "price": 30000, "tax": "KKKNT"},
        ]  # fmt: skip
        inbound = self._import_one(factory.make_invoice(lines=lines))
        zero, exempt, undeclared = inbound.move_id.invoice_line_ids.sorted("sequence")
        self.assertEqual(zero.tax_ids, self._chart_tax("tax_purchase_vat0"))
        self.assertEqual(exempt.tax_ids, self._chart_tax("tax_purchase_vat_exemption"))
        self.assertFalse(undeclared.tax_ids)
        self.assertAlmostEqual(inbound.move_id.amount_total, 230000)
        self.assertEqual(self._checks(inbound)["amounts"].result, "pass")

    def test_mapping_learnt_from_a_posted_bill_is_used_next_time(self):
        first = self._import_one(factory.make_invoice(number="42")).move_id
        with Form(first) as bill, bill.invoice_line_ids.edit(1) as line:
            self.assertEqual(line.name, "Cà phê rang xay 250g")
            line.product_id = self.coffee
        first.action_post()
        mapping = self.env["einvoice.vn.product.mapping"].search(
            [("partner_id", "=", self.vendor.id), ("product_id", "=", self.coffee.id)]
        )
        self.assertEqual(mapping.product_id, self.coffee)
        self.assertEqual(mapping.supplier_name, "Cà phê rang xay 250g")

        second = self._import_one(factory.make_invoice(number="43"))
        self.assertEqual(second.move_id.invoice_line_ids.product_id, self.fish_sauce | self.coffee)
        self.assertEqual(second.check_ids.filtered(lambda c: c.code == "bill").result, "pass")

    def test_api_import_files(self):
        data = factory.make_invoice()
        result = self.env["einvoice.vn.inbound"].import_files(
            [
                # Line breaks, as base64.encodebytes and many clients write it.
                {"name": "good.xml", "content": base64.encodebytes(data).decode()},
                {"name": "again.xml", "content": self._b64(data)},
                {"name": "junk.xml", "content": self._b64(b"<HDon><DLHDon>")},
            ]
        )
        good, again, junk = result
        inbound = self.env["einvoice.vn.inbound"].browse(good["inbound_id"])
        self.assertEqual(good["move_id"], inbound.move_id.id)
        self.assertEqual(good["state"], "verified")
        self.assertFalse(good["error"])
        self.assertFalse(again["inbound_id"])
        self.assertIn("duplicate", again["error"])
        self.assertIn("junk.xml", junk["error"])
        self.assertEqual(junk["state"], "refused")

    def test_bill_created_again_after_deletion(self):
        inbound = self._import_one(factory.make_invoice())
        inbound.move_id.unlink()
        self.assertFalse(inbound.move_id)
        inbound.action_create_bill()
        self.assertAlmostEqual(inbound.move_id.amount_total, 1304360)
        self.assertEqual(inbound.move_id.einvoice_vn_inbound_id, inbound)
        with self.assertRaises(UserError):
            inbound.action_create_bill()

    def test_api_needs_invoicing_rights(self):
        user = self._create_new_internal_user(login="no_accounting", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["einvoice.vn.inbound"].with_user(user).import_files([])

    def test_archived_original_cannot_be_changed_or_deleted(self):
        inbound = self._import_one(factory.make_invoice())
        with self.assertRaises(AccessError):
            inbound.attachment_id.write({"raw": b"<HDon/>"})
        with self.assertRaises(AccessError):
            inbound.attachment_id.unlink()
        with self.assertRaises(AccessError):
            inbound.write({"amount_total": 1})
        with self.assertRaises(AccessError):
            inbound.unlink()
        with self.assertRaises(AccessError):
            self.env["einvoice.vn.inbound"].create({"company_id": self.company.id})


@tagged("post_install", "-at_install")
class TestInboundChecks(InboundCommon):
    def _assert_fails(self, data, code, words):
        inbound = self._import_one(data)
        check = self._checks(inbound)[code]
        self.assertEqual(check.result, "fail", check.message)
        self.assertIn(words, check.message)
        self.assertEqual(inbound.state, "failed")
        # The bill exists (the accountant decides) but is flagged: banner and activity.
        bill = inbound.move_id
        self.assertEqual(bill.einvoice_vn_inbound_state, "failed")
        self.assertIn("einvoice_vn_inbound_failed", bill._get_alerts())
        activity = bill.activity_ids.filtered(
            lambda a: (
                a.activity_type_id == self.env.ref("einvoice_vn.mail_activity_type_inbound_failed")
            )
        )
        self.assertIn(check.message[:30], activity.note)
        return inbound

    def test_changed_amount_fails(self):
        self._assert_fails(
            factory.changed_amount(factory.make_invoice()), "seller_signature", "does not verify"
        )

    def test_wrapped_signature_fails(self):
        self._assert_fails(
            factory.wrapped_signature(factory.make_invoice()), "seller_signature", "wrapping"
        )

    def test_corrupted_certificate_fails(self):
        inbound = self._import_one(factory.corrupted_certificate(factory.make_invoice()))
        self.assertEqual(inbound.state, "failed")
        failed = inbound.check_ids.filtered(lambda c: c.result == "fail")
        self.assertTrue(failed & inbound.check_ids.filtered(lambda c: c.code == "certificate"))

    def test_expired_certificate_fails(self):
        data = factory.make_invoice(certificate=factory.expired_certificate())
        self._assert_fails(data, "certificate", "was not valid at SigningTime")

    def test_wrong_buyer_tax_id_fails(self):
        data = factory.make_invoice(buyer_tax_id="0100109106-001")
        inbound = self._assert_fails(data, "buyer_tax_id", "0100109106-001")
        self.assertEqual(inbound.company_id, self.company)

    def test_certificate_issuer_checked_against_trusted_authorities(self):
        data = factory.make_invoice()
        pem = factory.default_ca().certificate.public_bytes(serialization.Encoding.PEM)
        self.company.sudo().einvoice_vn_trusted_ca = pem.decode()
        inbound = self._import_one(data)
        check = self._checks(inbound)["certificate"]
        self.assertEqual(check.result, "pass", check.message)
        # Another CA only: the seller's certificate is not from a trusted issuer.
        other = factory.make_ca("Another CA").certificate.public_bytes(serialization.Encoding.PEM)
        self.company.sudo().einvoice_vn_trusted_ca = other.decode()
        inbound.action_recheck()
        check = self._checks(inbound)["certificate"]
        self.assertEqual(check.result, "fail", check.message)
        self.assertEqual(inbound.state, "failed")
        with self.assertRaises(ValidationError):
            self.company.sudo().einvoice_vn_trusted_ca = "not a certificate"

    def _forgery(self):
        """An invoice signed by an attacker's own CA, both as the seller and as "TỔNG CỤC
        THUẾ" with the tax authority's MST."""
        evil_ca = factory.make_ca("Evil CA")
        seller = factory.make_cert(evil_ca, factory.SELLER_MST)
        fake_tax = factory.make_cert(evil_ca, factory.AUTHORITY_MST, common_name="TỔNG CỤC THUẾ")
        return factory.make_invoice(certificate=seller, authority=fake_tax)

    def test_forged_invoice_is_not_verified_with_default_settings(self):
        self._default_trust()
        inbound = self._import_one(self._forgery(), name="forged.xml")
        checks = self._checks(inbound)
        self.assertEqual(checks["seller_signature"].result, "pass")  # the signature is sound
        self.assertEqual(checks["certificate"].result, "warning", checks["certificate"].message)
        self.assertIn("Evil CA", checks["certificate"].message)
        self.assertIn("was not checked", checks["certificate"].message)
        self.assertEqual(checks["authority"].result, "warning", checks["authority"].message)
        self.assertIn("not identified as the tax authority", checks["authority"].message)
        self.assertEqual(inbound.state, "warning")
        self.assertEqual(inbound.move_id.einvoice_vn_inbound_state, "warning")

    def test_genuine_invoice_is_not_verified_without_trust_settings(self):
        """Nothing configured: even a genuine invoice cannot be proven, it needs review."""
        self._default_trust()
        data = factory.make_invoice(authority=factory.authority_cert())
        inbound = self._import_one(data)
        checks = self._checks(inbound)
        self.assertEqual(checks["certificate"].result, "warning")
        self.assertEqual(checks["authority"].result, "warning")
        self.assertEqual(inbound.state, "warning")
        # Only the authority MST configured: the signer is named, its issuer unchecked.
        self.company.sudo().einvoice_vn_authority_tax_ids = factory.AUTHORITY_MST
        inbound.action_recheck()
        check = self._checks(inbound)["authority"]
        self.assertEqual(check.result, "warning", check.message)
        self.assertIn("was not checked", check.message)

    def test_forged_invoice_fails_with_trust_settings(self):
        inbound = self._import_one(self._forgery(), name="forged.xml")
        checks = self._checks(inbound)
        self.assertEqual(checks["certificate"].result, "fail", checks["certificate"].message)
        self.assertEqual(checks["authority"].result, "fail", checks["authority"].message)
        self.assertIn("Evil CA", checks["authority"].message)
        self.assertEqual(inbound.state, "failed")

    def test_authority_signed_by_seller_or_buyer_fails(self):
        self._default_trust()
        for tax_id in (factory.SELLER_MST, factory.BUYER_MST):
            signer_cert = factory.make_cert(
                factory.default_ca(), tax_id, common_name="TỔNG CỤC THUẾ"
            )
            data = factory.make_invoice(authority=signer_cert, number=tax_id[-3:])
            inbound = self._import_one(data)
            check = self._checks(inbound)["authority"]
            self.assertEqual(check.result, "fail", check.message)
            self.assertIn(tax_id, check.message)
            self.assertEqual(inbound.state, "failed")

    def test_check_message_is_translated(self):
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env["ir.module.module"]._load_module_terms(["einvoice_vn"], ["vi_VN"])
        inbound = self._import_one(factory.make_invoice(buyer_tax_id="0100109106-001"))
        check = self._checks(inbound)["buyer_tax_id"].with_context(lang="vi_VN")
        self.assertIn("0100109106-001", check.message)
        self.assertNotEqual(check.message, check.message_en)


@tagged("post_install", "-at_install")
class TestInboundSellerStatus(InboundCommon):
    def test_inactive_seller_fails_and_flags_the_bill(self):
        self.company.sudo().einvoice_vn_status_url = self.status.url
        self.status.state.statuses[factory.SELLER_MST] = "05"
        inbound = self._import_one(factory.make_invoice())
        check = self._checks(inbound)["seller_status"]
        self.assertEqual(check.result, "fail")
        self.assertIn("suspended", check.message)
        self.assertEqual(inbound.state, "failed")
        self.assertTrue(inbound.move_id.activity_ids)
        # Cached: the next invoice of the seller does not ask again.
        self._import_one(factory.make_invoice(number="43"))
        self.assertEqual(len(self.status.state.requests), 1)

    def test_active_seller_passes(self):
        self.company.sudo().write(
            {"einvoice_vn_status_url": self.status.url, "einvoice_vn_status_token": "s3cret"}
        )
        self.status.state.token = "s3cret"
        self.status.state.statuses[factory.SELLER_MST] = "00"
        inbound = self._import_one(factory.make_invoice())
        self.assertEqual(self._checks(inbound)["seller_status"].result, "pass")

    def test_service_unset_is_not_checked(self):
        self.company.sudo().einvoice_vn_status_url = False
        inbound = self._import_one(factory.make_invoice())
        check = self._checks(inbound)["seller_status"]
        self.assertEqual(check.result, "not_checked")
        self.assertIn("no look-up service", check.message)
        self.assertFalse(self.status.state.requests)

    def test_check_again_once_the_service_is_set(self):
        inbound = self._import_one(factory.make_invoice())
        self.assertEqual(self._checks(inbound)["seller_status"].result, "not_checked")
        self.company.sudo().einvoice_vn_status_url = self.status.url
        self.status.state.statuses[factory.SELLER_MST] = "06"
        inbound.action_recheck()
        check = self._checks(inbound)["seller_status"]
        self.assertEqual(check.result, "fail")
        self.assertIn("not operating at the registered address", check.message)
        self.assertEqual(inbound.state, "failed")
        self.assertEqual(inbound.move_id.einvoice_vn_inbound_state, "failed")
        self.assertTrue(inbound.move_id.activity_ids)
        # The bill's own notes are kept.
        self.assertTrue(inbound.check_ids.filtered(lambda c: c.code == "bill"))

    def test_lookup_that_cannot_answer_fails_and_flags_the_bill(self):
        """Anything but an active status flags the bill: an unknown seller, a refused
        token, a service down or answering garbage are failed checks, not warnings."""
        self.company.sudo().write(
            {"einvoice_vn_status_url": self.status.url, "einvoice_vn_status_cache_hours": 0}
        )
        cases = [
            ("unknown", "the service does not know it", None),
            ("error500", "HTTP 500", None),
            ("garbage", "not JSON", None),
            ("token", "refused the token", "secret"),
        ]
        for number, (behaviour, said, token) in enumerate(cases, start=50):
            with self.subTest(behaviour=behaviour):
                self.status.state.__init__()
                self.status.state.token = token
                if behaviour in ("error500", "garbage"):
                    self.status.state.script = [behaviour]
                    self.status.state.statuses[factory.SELLER_MST] = "00"
                inbound = self._import_one(factory.make_invoice(number=str(number)))
                check = self._checks(inbound)["seller_status"]
                self.assertEqual(check.result, "fail", check.message)
                self.assertIn("could not be looked up", check.message)
                self.assertIn(said, check.message)
                self.assertEqual(inbound.state, "failed")
                self.assertTrue(inbound.move_id.activity_ids)

    def test_status_cached_meanwhile_by_another_transaction(self):
        """Another transaction caches the seller's status after ours began: our import
        goes on with the status it looked up (not "e-invoice already received")."""
        company = self.env.ref("base.main_company")  # committed, unlike the test company
        company.sudo().write(
            {"einvoice_vn_status_url": self.status.url, "einvoice_vn_status_cache_hours": 0}
        )
        self.status.state.statuses[factory.SELLER_MST] = "00"
        Status = self.env["einvoice.vn.seller.status"]
        self.assertFalse(Status.search([("company_id", "=", company.id)]))
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(
                "INSERT INTO einvoice_vn_seller_status (company_id, tax_id, code, checked_at) "
                "VALUES (%s, %s, '05', now() at time zone 'utc' - interval '2 days')",
                (company.id, factory.SELLER_MST),
            )

        def remove():
            with sql_db.db_connect(self.env.cr.dbname).cursor() as cleaner:
                cleaner.execute(
                    "DELETE FROM einvoice_vn_seller_status WHERE company_id = %s AND tax_id = %s",
                    (company.id, factory.SELLER_MST),
                )

        self.addCleanup(remove)
        check = Status._check(company, factory.SELLER_MST)
        self.assertEqual(check["result"], "pass", check)
        self.assertEqual(check["params"]["code"], "00")
        # The transaction is still usable.
        self.assertTrue(self._import_one(factory.make_invoice(number="77")))

    def test_cache_is_keyed_on_the_compact_tax_id(self):
        self.company.sudo().einvoice_vn_status_url = self.status.url
        self.status.state.statuses[factory.SELLER_MST] = "00"
        Status = self.env["einvoice.vn.seller.status"]
        Status._check(self.company, f" {factory.SELLER_MST[:4]} {factory.SELLER_MST[4:]}")
        check = Status._check(self.company, factory.SELLER_MST)
        self.assertEqual(check["result"], "pass")
        self.assertEqual(len(self.status.state.requests), 1)  # the second one from the cache
        self.assertEqual(
            Status.search([("company_id", "=", self.company.id)]).tax_id, factory.SELLER_MST
        )


def _set(tag, value):
    """A ``before_signing`` edit: the first element ``tag`` of the HDon gets ``value``."""

    def edit(root):
        node = next(n for n in root.iter() if isinstance(n.tag, str) and n.tag.endswith(tag))
        node.text = value

    return edit


@tagged("post_install", "-at_install")
class TestInboundRefused(InboundCommon):
    def test_api_bad_items_are_each_reported_and_do_not_stop_the_batch(self):
        good = factory.make_invoice()
        results = self.env["einvoice.vn.inbound"].import_files(
            [
                "abc",
                {"name": 1, "content": []},
                {"name": "e.xml", "content": ""},
                {"name": "list.xml", "content": ["x"]},
                {"name": "good.xml", "content": self._b64(good)},
            ]
        )
        self.assertEqual(len(results), 5)
        abc, number, empty, listed, imported = results
        self.assertEqual(abc["state"], "refused")
        self.assertIn("files[0]", abc["error"])
        self.assertIn("'abc'", abc["error"])
        self.assertIn("files[1]", number["error"])
        self.assertIn("name", number["error"])
        self.assertEqual(empty["error"], "e.xml: the file is empty")  # named once
        self.assertIn("list.xml: content", listed["error"])
        self.assertIn("['x']", listed["error"])
        self.assertFalse(imported["error"], imported["error"])
        self.assertTrue(imported["move_id"])
        with self.assertRaises(UserError) as caught:
            self.env["einvoice.vn.inbound"].import_files({"a": 1})
        self.assertIn("{'a': 1}", caught.exception.args[0])

    def test_out_of_range_values_are_refused_naming_file_field_and_value(self):
        self.env.ref("base.USD").active = True
        cases = [
            (
                "qty.xml",
                factory.make_invoice(before_signing=_set("SLuong", "1E+400")),
                "HHDVu[1]/SLuong '1E+400' is out of range",
            ),
            (
                "price.xml",
                factory.make_invoice(before_signing=_set("DGia", "1E+300")),
                "HHDVu[1]/DGia '1E+300' is out of range",
            ),
            (
                "product.xml",
                factory.make_invoice(
                    before_signing=lambda root: (
                        _set("SLuong", "1E+8")(root),
                        _set("DGia", "1E+8")(root),
                    )
                ),
                "SLuong '1E+8' × DGia '1E+8' is out of range",
            ),
            (
                "negrate.xml",
                factory.make_invoice(currency="USD", general={"TGia": "-25000"}),
                "TTChung/TGia '-25000' is not a positive exchange rate",
            ),
            (
                "tiny.xml",
                factory.make_invoice(currency="USD", before_signing=_set("TGia", "1E-300")),
                "TTChung/TGia '1E-300' is not a positive exchange rate",
            ),
            (
                "tchat.xml",
                factory.make_invoice(before_signing=_set("TChat", "9")),
                "HHDVu[1]/TChat '9' is not 1, 2, 3 or 4",
            ),
        ]
        before = self._count()
        results = self._import(
            *[(name, data) for name, data, _said in cases], ("good.xml", factory.make_invoice())
        )
        self.assertEqual(len(results), len(cases) + 1)
        for (name, _data, said), result in zip(cases, results, strict=False):
            self.assertFalse(result["inbound"], name)
            self.assertTrue(result["error"].startswith(f"{name}: "), result["error"])
            self.assertEqual(result["error"].count(name), 1, result["error"])
            self.assertIn(said, result["error"])
        self.assertFalse(results[-1]["error"], results[-1]["error"])
        self.assertEqual(self._count()[0], before[0] + 1)  # the good file only

    def test_duplicate_in_two_uploads_is_refused(self):
        data = factory.make_invoice()
        first = self._import_one(data)
        before = self._count()
        with self.assertRaises(UserError) as caught:
            self._upload(("again.xml", data))
        message = caught.exception.args[0]
        self.assertIn("again.xml", message)
        self.assertIn("duplicate", message)
        self.assertIn(f"id {first.id}", message)
        self.assertEqual(self._count(), before)

    def test_duplicate_with_other_number_spelling_is_refused(self):
        self._import_one(factory.make_invoice(number="42"))
        results = self._import(("zeros.xml", factory.make_invoice(number="00000042")))
        self.assertIn("duplicate", results[0]["error"])

    def test_same_file_twice_in_one_upload(self):
        data = factory.make_invoice()
        before = self._count()
        wizard = self._upload(("a.xml", data), ("b.xml", data))
        first, second = wizard.result_ids
        self.assertTrue(first.inbound_id)
        self.assertFalse(second.inbound_id)
        self.assertIn("b.xml", second.error)
        self.assertIn("duplicate", second.error)
        self.assertEqual(self._count(), tuple(count + 1 for count in before))

    def test_hostile_xml_is_refused_without_network_call(self):
        sink = self.status.base_url
        before = self._count()
        for name, data in (
            ("xxe_http.xml", factory.xxe_payload(f"{sink}/xxe")),
            ("xxe_file.xml", factory.xxe_payload("file:///etc/passwd")),
            ("dtd.xml", factory.external_dtd_payload(f"{sink}/dtd")),
            ("laughs.xml", factory.billion_laughs()),
        ):
            with self.subTest(name=name), self.assertRaises(UserError) as caught:
                self._upload((name, data))
            self.assertIn(name, caught.exception.args[0])
            self.assertIn("DOCTYPE", caught.exception.args[0])
        self.assertEqual(self._count(), before)
        self.assertFalse(self.status.state.requests)

    def test_hostile_xml_through_odoo_upload_is_not_parsed(self):
        """Odoo's own Upload on vendor bills: the DOCTYPE file reaches our hardened parser
        (Odoo's parse would fetch the entity), and the bill says why nothing was read."""
        sink = self.status.base_url
        attachment = self.env["ir.attachment"].create(
            {"name": "xxe.xml", "raw": factory.xxe_payload(f"{sink}/xxe")}
        )
        bill = self.journal.with_context(
            default_move_type="in_invoice"
        )._create_document_from_attachment(attachment.ids)
        self.assertFalse(bill.invoice_line_ids)
        self.assertFalse(bill.einvoice_vn_inbound_id)
        self.assertIn("DOCTYPE", " ".join(bill.message_ids.mapped("body")))
        self.assertFalse(self.status.state.requests)
        # Odoo's own parse (lxml 4 resolves entities) would read the local file into SHDon.
        file_xxe = {
            "name": "xxe.xml",
            "raw": factory.xxe_payload("file:///etc/hostname"),
            "mimetype": "application/xml",
        }
        self.assertIsNone(self.env["account.move"]._get_xml_tree(file_xxe))
        # Other XML still goes through Odoo's own parser.
        tree = self.env["account.move"]._get_xml_tree(
            {
                "name": "x.xml",
                "raw": b"<Invoice><ID>1</ID></Invoice>",
                "mimetype": "application/xml",
            }
        )
        self.assertEqual(tree.tag, "Invoice")

    def test_doctype_hidden_by_utf16_or_utf32_without_bom_reads_no_file(self):
        """Odoo's Upload: UTF-16 without byte order mark and UTF-32 hide a DOCTYPE from a
        byte scan; such a file must not reach a parser that reads file:///etc/hostname."""
        with open("/etc/hostname", encoding="utf-8") as handle:
            hostname = handle.read().strip()
        self.assertTrue(hostname)
        Move = self.env["account.move"]
        for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-32"):
            with self.subTest(encoding=encoding):
                raw = factory.xxe_payload("file:///etc/hostname").decode().encode(encoding)
                file_data = {"name": "xxe.xml", "raw": raw, "mimetype": "application/xml"}
                self.assertIsNone(Move._get_xml_tree(file_data))
                attachment = self.env["ir.attachment"].create({"name": "xxe.xml", "raw": raw})
                bill = self.journal.with_context(
                    default_move_type="in_invoice"
                )._create_document_from_attachment(attachment.ids)
                self.assertFalse(bill.invoice_line_ids)
                self.assertFalse(bill.einvoice_vn_inbound_id)
                seen = " ".join([bill.ref or "", bill.name or "", *bill.message_ids.mapped("body")])
                self.assertNotIn(f">{hostname}<", seen)
                self.assertNotIn(f" {hostname}\n", seen)

    def test_buyer_of_another_company_is_not_booked_here(self):
        other = self.setup_other_company(name="Company B")["company"]
        other.vat = "0100109106-001"
        data = factory.make_invoice(buyer_tax_id="0100109106-001")
        results = (
            self.env["einvoice.vn.inbound"]
            .with_context(allowed_company_ids=self.company.ids)
            ._import_many([("for_b.xml", data)])
        )
        self.assertFalse(results[0]["inbound"])
        self.assertIn("another company", results[0]["error"])
        # A user of both companies books it in B.
        inbound = (
            self.env["einvoice.vn.inbound"]
            .with_context(allowed_company_ids=[self.company.id, other.id])
            ._import_many([("for_b.xml", data)])[0]["inbound"]
        )
        self.assertEqual(inbound.company_id, other)
        self.assertEqual(inbound.move_id.company_id, other)
        self.assertEqual(self._checks(inbound)["buyer_tax_id"].result, "pass")

    def test_user_of_other_company_does_not_see_records(self):
        inbound = self._import_one(factory.make_invoice())
        other = self.setup_other_company(name="Company B")["company"]
        user = self._create_new_internal_user(
            login="b_accountant",
            groups="account.group_account_invoice",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        Inbound = self.env["einvoice.vn.inbound"].with_user(user)
        self.assertFalse(Inbound.search([]))
        with self.assertRaises(AccessError):
            Inbound.browse(inbound.id).read(["name"])
        self.assertFalse(self.env["einvoice.vn.inbound.check"].with_user(user).search([]))


@tagged("post_install", "-at_install", "mail_gateway")
class TestInboundImportFramework(InboundCommon):
    def _mail(self, *attachments, message_id="einv-inbound-1@example.com"):
        parts = "\n".join(
            f"--b1\nContent-Type: {mimetype}\nContent-Transfer-Encoding: base64\n"
            f'Content-Disposition: attachment; filename="{name}"\n\n{self._b64(raw)}\n'
            for name, raw, mimetype in attachments
        )
        alias = self.journal.alias_id
        alias.alias_name = alias.alias_name or "vendor-bills-einv"
        return (
            f"MIME-Version: 1.0\nMessage-ID: <{message_id}>\n"
            "Subject: Hoa don dien tu\nFrom: Sao Mai <billing@saomai.example>\n"
            f"To: {alias.display_name}\n"
            'Content-Type: multipart/mixed; boundary="b1"\n\n'
            "--b1\nContent-Type: text/plain; charset=UTF-8\n\nHoa don kem theo.\n"
            f"{parts}--b1--\n"
        )

    def test_mail_alias_creates_the_bill_with_checks(self):
        data = factory.make_invoice()
        self.env["mail.thread"].message_process(
            "account.move",
            self._mail(("HD_0000042.xml", data, "application/xml")),
            custom_values={"move_type": "in_invoice", "journal_id": self.journal.id},
        )
        inbound = self.env["einvoice.vn.inbound"].search([])
        self.assertEqual(len(inbound), 1)
        self.assertEqual(inbound.source, "email")
        bill = inbound.move_id
        self.assertEqual(bill.journal_id, self.journal)
        self.assertEqual(bill.partner_id, self.vendor)
        self.assertAlmostEqual(bill.amount_total, 1304360)
        self.assertEqual(bill.einvoice_vn_inbound_check_ids, inbound.check_ids)
        self.assertEqual(self._checks(inbound)["seller_signature"].result, "pass")

    def test_mail_alias_duplicate_leaves_no_bill_to_pay(self):
        data = factory.make_invoice()
        values = {"move_type": "in_invoice", "journal_id": self.journal.id}
        self.env["mail.thread"].message_process(
            "account.move", self._mail(("HD_0000042.xml", data, "application/xml")), values
        )
        first = self.env["einvoice.vn.inbound"].search([])
        # The supplier sends the same invoice again in another email.
        self.env["mail.thread"].message_process(
            "account.move",
            self._mail(("HD_0000042.xml", data, "application/xml"), message_id="again@example.com"),
            values,
        )
        self.assertEqual(self.env["einvoice.vn.inbound"].search([]), first)
        bills = self.env["account.move"].search([("journal_id", "=", self.journal.id)])
        again = bills - first.move_id
        self.assertEqual(len(again), 1)
        self.assertEqual(again.state, "cancel")
        self.assertFalse(again.line_ids)
        self.assertIn("duplicate", " ".join(again.message_ids.mapped("body")))
        self.assertIn("Received again", " ".join(first.message_ids.mapped("body")))
        self.assertEqual(first.move_id.state, "draft")

    def test_mail_alias_failed_check_gives_a_person_the_activity(self):
        data = factory.changed_amount(factory.make_invoice())
        self.env["mail.thread"].message_process(
            "account.move",
            self._mail(("HD_0000042.xml", data, "application/xml")),
            custom_values={"move_type": "in_invoice", "journal_id": self.journal.id},
        )
        bill = self.env["einvoice.vn.inbound"].search([]).move_id
        self.assertEqual(bill.einvoice_vn_inbound_state, "failed")
        activity = bill.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertTrue(activity.user_id.active)
        self.assertTrue(activity.user_id._is_internal())

    def test_mail_alias_zip_with_pdf(self):
        data = factory.make_invoice()
        self.env["mail.thread"].message_process(
            "account.move",
            self._mail(("HD_0000042.zip", factory.zip_with_pdf(data), "application/zip")),
            custom_values={"move_type": "in_invoice", "journal_id": self.journal.id},
        )
        inbound = self.env["einvoice.vn.inbound"].search([])
        self.assertEqual(inbound.attachment_id.raw, data)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", inbound.move_id.id)]
        )
        self.assertIn("application/pdf", attachments.mapped("mimetype"))

    def test_odoo_upload_on_vendor_bills(self):
        data = factory.make_invoice()
        attachment = self.env["ir.attachment"].create({"name": "HD_0000042.xml", "raw": data})
        bill = self.journal.with_context(
            default_move_type="in_invoice"
        )._create_document_from_attachment(attachment.ids)
        self.assertEqual(bill.einvoice_vn_inbound_id.source, "import")
        self.assertEqual(bill.invoice_line_ids.product_id, self.fish_sauce)
        self.assertAlmostEqual(bill.amount_total, 1304360)
        # The same file again: refused, the new bill stays empty and says why.
        attachment2 = self.env["ir.attachment"].create({"name": "again.xml", "raw": data})
        bill2 = self.journal.with_context(
            default_move_type="in_invoice"
        )._create_document_from_attachment(attachment2.ids)
        self.assertFalse(bill2.invoice_line_ids)
        self.assertIn("duplicate", " ".join(bill2.message_ids.mapped("body")))
        # Cancelled: nothing left in the drafts to enter and pay by hand.
        self.assertEqual(bill2.state, "cancel")
        self.assertIn(
            "Received again as again.xml",
            " ".join(bill.einvoice_vn_inbound_id.message_ids.mapped("body")),
        )
        self.assertEqual(self.env["einvoice.vn.inbound"].search_count([]), 1)
