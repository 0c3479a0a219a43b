from odoo import api, fields, models


class ArReminderLine(models.Model):
    _name = "ar.reminder.line"
    _description = "Receivable Reminder Line"
    _check_company_auto = True

    reminder_id = fields.Many2one("ar.reminder", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="reminder_id.company_id", store=True, index=True)
    move_id = fields.Many2one(
        "account.move", required=True, ondelete="cascade", index=True, check_company=True
    )
    # Indexed: deleting a level (or its policy) looks its lines up by it.
    level_id = fields.Many2one(
        "ar.reminder.level", required=True, ondelete="cascade", index=True, check_company=True
    )

    _move_level_unique = models.UniqueIndex(
        "(move_id, level_id)", "This invoice already had this reminder level."
    )

    @api.model
    def _sent_levels(self, moves):
        sent = {}
        for line in self.search([("move_id", "in", moves.ids)]):
            sent.setdefault(line.move_id.id, set()).add(line.level_id.id)
        return sent
