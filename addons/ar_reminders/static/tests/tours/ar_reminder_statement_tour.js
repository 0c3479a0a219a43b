import { registry } from "@web/core/registry";

// A reminder run's result -> the reminder of a customer -> the customer's statement.
registry.category("web_tour.tours").add("ar_reminders_run_to_statement", {
    url: "/odoo/action-ar_reminders.action_ar_reminder",
    steps: () => [
        {
            content: "The run's reminder of the customer is listed, sent",
            trigger: ".o_data_row:contains('Tour Customer An Phú'):contains('Sent')",
        },
        {
            content: "Open it",
            trigger: ".o_data_row:contains('Tour Customer An Phú') td.o_data_cell",
            run: "click",
        },
        {
            content: "The reminder shows its level",
            trigger: ".o_field_widget[name='level_id']:contains('First reminder (tour)')",
        },
        {
            content: "Open the customer's statement",
            trigger: ".o_statusbar_buttons button[name='action_ar_open_statement']",
            run: "click",
        },
        {
            content: "The statement lists the overdue invoice",
            trigger: ":iframe .page:contains('Statement of account'):contains('Tour Customer An Phú'):contains('INV/')",
        },
    ],
});
