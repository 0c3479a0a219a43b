import { registry } from "@web/core/registry";

// The pipeline kanban -> a held order -> the manager overrides the hold -> confirmation.
registry.category("web_tour.tours").add("order_to_cash_hold_override", {
    url: "/odoo/action-order_to_cash.action_o2c_pipeline",
    steps: () => [
        {
            content: "The held order shows its badge in the pipeline",
            trigger: ".o_kanban_record:contains('Tour Walk-in Customer') .badge:contains('On hold')",
        },
        {
            content: "Open the held order",
            trigger: ".o_kanban_record:contains('Tour Walk-in Customer')",
            run: "click",
        },
        {
            content: "The form says why it is held",
            trigger: ".alert-danger:contains('On hold'):contains('phone')",
        },
        {
            content: "Confirm is not offered while the order is held",
            trigger: ".o_statusbar_buttons:not(:has(button[name='action_confirm']))",
        },
        {
            content: "Override the hold",
            trigger: ".o_statusbar_buttons button[name='action_o2c_override']",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Customer paid in advance by bank transfer",
        },
        {
            content: "Apply the override",
            trigger: ".modal button[name='action_override']",
            run: "click",
        },
        {
            content: "The hold is gone",
            trigger: ".o_form_view:not(:has(.alert-danger:contains('On hold')))",
        },
        {
            content: "Confirm the order",
            trigger: ".o_statusbar_buttons button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Sales Order')",
        },
    ],
});
