"""Opt-out, policy and collector on the customer become per company (company-dependent,
stored as jsonb). PostgreSQL cannot cast the old boolean and integer columns to jsonb: move
them aside here; post-migration.py fills the new columns from them."""

from odoo.tools import SQL, sql

COLUMNS = ("ar_no_reminder", "ar_policy_id", "ar_collector_id")


def migrate(cr, version):
    for column in COLUMNS:
        cr.execute(
            SQL(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'res_partner' AND column_name = %s",
                column,
            )
        )
        row = cr.fetchone()
        if row and row[0] != "jsonb":
            sql.rename_column(cr, "res_partner", column, f"{column}_shared")
