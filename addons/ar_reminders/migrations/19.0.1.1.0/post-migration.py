"""Copy the values that were shared by every company into each company they apply to: an
opt-out to every company (the customer asked for no reminders), a policy to its own company,
a collector to each company the user works in."""

from odoo.tools import SQL, sql


def migrate(cr, version):
    if sql.column_exists(cr, "res_partner", "ar_no_reminder_shared"):
        cr.execute(
            SQL(
                """
                UPDATE res_partner
                   SET ar_no_reminder = (SELECT jsonb_object_agg(c.id::text, true)
                                           FROM res_company c)
                 WHERE ar_no_reminder_shared
                """
            )
        )
    if sql.column_exists(cr, "res_partner", "ar_policy_id_shared"):
        cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET ar_policy_id = jsonb_build_object(pol.company_id::text, pol.id)
                  FROM ar_reminder_policy pol
                 WHERE pol.id = p.ar_policy_id_shared
                """
            )
        )
    if sql.column_exists(cr, "res_partner", "ar_collector_id_shared"):
        cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET ar_collector_id = (SELECT jsonb_object_agg(rel.cid::text, rel.user_id)
                                            FROM res_company_users_rel rel
                                           WHERE rel.user_id = p.ar_collector_id_shared)
                 WHERE p.ar_collector_id_shared IS NOT NULL
                """
            )
        )
    for column in ("ar_no_reminder", "ar_policy_id", "ar_collector_id"):
        if sql.column_exists(cr, "res_partner", f"{column}_shared"):
            cr.execute(
                SQL(
                    "ALTER TABLE res_partner DROP COLUMN %s",
                    SQL.identifier(f"{column}_shared"),
                )
            )
