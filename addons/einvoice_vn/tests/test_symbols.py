import datetime

from freezegun import freeze_time
from psycopg2.errors import UniqueViolation

from odoo.exceptions import UserError, ValidationError
from odoo.modules.module import load_script
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import EinvoiceCommon


@tagged("post_install", "-at_install")
class TestEinvoiceSymbols(EinvoiceCommon):
    """The symbol owns the numbers: journals sharing it share its counter."""

    def _invoice_in(self, journal, lines=None):
        move = self._invoice(lines, post=False)
        move.journal_id = journal
        move.action_post()
        return move

    def test_two_journals_sharing_a_symbol_issue_consecutive_numbers(self):
        retail = self.env["account.journal"].create(
            {
                "name": "Retail sales",
                "code": "RET",
                "type": "sale",
                "einvoice_vn_enabled": True,
                "einvoice_vn_symbol_id": self.symbol.id,
            }
        )
        moves = (
            self._invoice_in(self.journal)
            + self._invoice_in(retail)
            + self._invoice_in(self.journal)
            + self._invoice_in(retail)
        )
        for move in moves:
            move.action_einvoice_vn_issue()
        docs = moves.einvoice_vn_document_id
        self.assertEqual(docs.mapped("state"), ["accepted"] * 4)
        self.assertEqual(docs.mapped("number"), ["1", "2", "3", "4"])
        self.assertEqual(set(docs.mapped("symbol")), {self.symbol.name})
        self.assertEqual(self.symbol.next_number, 5)

    def test_symbol_year_must_match_the_invoice_date(self):
        today = datetime.date.today()
        last_year = self.env["einvoice.vn.symbol"].create(
            {"template": "1", "name": f"C{(today.year - 1) % 100:02d}TAA"}
        )
        self.assertEqual(last_year.year, today.year - 1)
        self.journal.einvoice_vn_symbol_id = last_year
        move = self._invoice()
        with self.assertRaisesRegex(
            UserError, rf"{last_year.name} is for the year {today.year - 1}.*{today.year}"
        ):
            move.action_einvoice_vn_issue()
        self.assertEqual(last_year.next_number, 1, "no number was taken")
        self.assertFalse(self.provider.state.requests, "nothing was sent")

    def test_december_warns_to_create_next_years_symbol(self):
        year = self.symbol.year
        next_name = f"C{(year + 1) % 100:02d}TAA"
        with freeze_time(f"{year}-11-30"):
            self.assertFalse(self.symbol.year_warning)
        with freeze_time(f"{year}-12-01"):
            self.symbol.invalidate_recordset(["year_warning"])
            self.assertIn(next_name, self.symbol.year_warning)
            self.assertIn(str(year + 1), self.symbol.year_warning)
            self.assertEqual(self.journal.einvoice_vn_year_warning, self.symbol.year_warning)
            move = self._invoice()
            self.assertIn("einvoice_vn_year_warning", move.alerts)
            self.assertIn(next_name, move.alerts["einvoice_vn_year_warning"]["message"])
            self.env["einvoice.vn.symbol"].create({"template": "1", "name": next_name})
            self.env.invalidate_all()
            self.assertFalse(self.symbol.year_warning)
            self.assertFalse(self.journal.einvoice_vn_year_warning)
            self.assertNotIn("einvoice_vn_year_warning", move.alerts or {})

    def test_numbers_are_unique_per_company_template_and_symbol(self):
        first, second = self._invoice(), self._invoice()
        (first + second).action_einvoice_vn_issue()
        doc1, doc2 = first.einvoice_vn_document_id, second.einvoice_vn_document_id
        self.assertEqual((doc1.number, doc2.number), ("1", "2"))
        with self.assertRaisesRegex(ValidationError, r"Next number 2 .* number 2 has already"):
            self.symbol.next_number = 2
        # Whatever writes the table, the database keeps one number per symbol.
        with (
            self.assertRaises(UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                SQL("UPDATE einvoice_vn_document SET number = %s WHERE id = %s", "1", doc2.id)
            )
        # The same number under another symbol is another invoice.
        other = self.env["einvoice.vn.symbol"].create(
            {"template": "1", "name": f"C{self.symbol.year % 100:02d}TBB"}
        )
        self.journal.einvoice_vn_symbol_id = other
        third = self._invoice()
        third.action_einvoice_vn_issue()
        self.assertEqual(
            (third.einvoice_vn_document_id.symbol, third.einvoice_vn_document_id.number),
            (other.name, "1"),
        )

    def test_issued_symbol_keeps_its_name(self):
        self.symbol.name = f"C{self.symbol.year % 100:02d}TBB"  # nothing issued yet: allowed
        self._invoice().action_einvoice_vn_issue()
        with self.assertRaisesRegex(UserError, "has issued invoices"):
            self.symbol.name = f"C{self.symbol.year % 100:02d}TCC"
        self.symbol.active = False  # archiving stays possible

    def test_symbol_in_use_or_issued_is_not_deleted(self):
        with self.assertRaisesRegex(UserError, rf"{self.symbol.name} is used by journal"):
            self.symbol.unlink()
        self.assertEqual(self.journal.einvoice_vn_symbol_id, self.symbol)
        self._invoice().action_einvoice_vn_issue()
        other = self.env["einvoice.vn.symbol"].create(
            {"template": "1", "name": f"C{self.symbol.year % 100:02d}TBB"}
        )
        self.journal.einvoice_vn_symbol_id = other
        with self.assertRaisesRegex(UserError, rf"{self.symbol.name} has issued invoices"):
            self.symbol.unlink()
        self.assertTrue(self.symbol.exists())

    def test_journal_without_symbol_is_named(self):
        # A database upgraded from the journal's own counter can hold an e-invoice journal
        # without a symbol (the ORM refuses to make one).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE account_journal SET einvoice_vn_symbol_id = NULL WHERE id = %s",
                self.journal.id,
            )
        )
        self.journal.invalidate_recordset()
        move = self._invoice()
        with self.assertRaisesRegex(UserError, rf"Journal {self.journal.name} has no e-invoice"):
            move.action_einvoice_vn_issue()
        self.assertFalse(self.provider.state.requests, "nothing was sent")

    def test_symbols_are_kept_per_company(self):
        company_b = self.setup_other_company(name="Công ty B")["company"]
        symbol_b = self.env["einvoice.vn.symbol"].create(
            {"company_id": company_b.id, "template": "1", "name": self.symbol.name}
        )
        user_a = new_test_user(
            self.env,
            login="einv_symbol_user_a",
            groups="account.group_account_invoice,einvoice_vn.group_einvoice_user",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        Symbol = self.env["einvoice.vn.symbol"].with_user(user_a)
        self.assertEqual(Symbol.search([("name", "=", self.symbol.name)]), self.symbol)
        with self.assertRaisesRegex(UserError, "company"):
            self.journal.einvoice_vn_symbol_id = symbol_b

    def test_migration_makes_symbols_from_the_journal_counters(self):
        # A database that ran the journal counter (einvoice_vn 19.0.1.0.0) keeps the old
        # columns; two of its journals share C..TOL, one was at 7, the other at 12.
        migration = load_script(
            "einvoice_vn/migrations/19.0.1.1.0/post-migrate.py", "einvoice_vn_post_migrate"
        )
        name = f"C{self.symbol.year % 100:02d}TOL"
        second = self.journal.copy({"name": "Online sales", "code": "ONL"})
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE account_journal ADD COLUMN einvoice_vn_template varchar,"
            " ADD COLUMN einvoice_vn_symbol varchar, ADD COLUMN einvoice_vn_next_number int"
        )
        for journal, number in ((self.journal, 7), (second, 12)):
            cr.execute(
                SQL(
                    "UPDATE account_journal SET einvoice_vn_template = '1',"
                    " einvoice_vn_symbol = %s, einvoice_vn_next_number = %s,"
                    " einvoice_vn_symbol_id = NULL WHERE id = %s",
                    name,
                    number,
                    journal.id,
                )
            )
        self.env.invalidate_all()
        migration.migrate(cr, "19.0.1.0.0")
        self.env.invalidate_all()
        migrated = self.journal.einvoice_vn_symbol_id
        self.assertEqual((migrated.name, migrated.template), (name, "1"))
        self.assertEqual(migrated.company_id, self.company)
        self.assertEqual(second.einvoice_vn_symbol_id, migrated)
        self.assertEqual(migrated.next_number, 12)
        move = self._invoice()
        move.action_einvoice_vn_issue()
        self.assertEqual(
            (move.einvoice_vn_document_id.symbol, move.einvoice_vn_document_id.number),
            (name, "12"),
        )
