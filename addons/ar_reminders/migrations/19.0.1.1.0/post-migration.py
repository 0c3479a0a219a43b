"""Copy the values that were shared by every company into each company they apply to: an
opt-out to every company (the customer asked for no reminders), a policy to its own company,
a collector to each company the user works in.

The reminder email template (noupdate) linked the statement of the current company: its
statement link is given the reminder's company, in every language, the rest of a customised
template left as it is."""

from odoo.tools import SQL, sql

OLD_LINK = "commercial_partner_id._ar_statement_url()"
NEW_LINK = "commercial_partner_id._ar_statement_url(object.company_id)"


def fix_statement_link(cr):
    cr.execute(
        SQL(
            """
            UPDATE mail_template t
               SET body_html = replace(t.body_html::text, %(old)s, %(new)s)::jsonb
              FROM ir_model_data d
             WHERE d.module = 'ar_reminders'
               AND d.name = 'mail_template_reminder'
               AND d.model = 'mail.template'
               AND t.id = d.res_id
               AND t.body_html::text LIKE %(pattern)s
            """,
            old=OLD_LINK,
            new=NEW_LINK,
            pattern=f"%{OLD_LINK}%",
        )
    )


def migrate(cr, version):
    fix_statement_link(cr)
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
