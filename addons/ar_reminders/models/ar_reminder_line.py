from odoo import api, fields, models


class ArReminderLine(models.Model):
    _name = "ar.reminder.line"
    _description = "Receivable Reminder Line"

    reminder_id = fields.Many2one("ar.reminder", required=True, ondelete="cascade", index=True)
    move_id = fields.Many2one("account.move", required=True, ondelete="cascade", index=True)
    level_id = fields.Many2one("ar.reminder.level", required=True, ondelete="cascade")

    _move_level_unique = models.UniqueIndex(
        "(move_id, level_id)", "This invoice already had this reminder level."
    )

    @api.model
    def _sent_levels(self, moves):
        sent = {}
        for line in self.search([("move_id", "in", moves.ids)]):
            sent.setdefault(line.move_id.id, set()).add(line.level_id.id)
        return sent
