import { registry } from "@web/core/registry";

// The collections dashboard -> the customer to call -> its open invoices.
registry.category("web_tour.tours").add("ar_reminders_collections_dashboard", {
    url: "/odoo/action-ar_reminders.action_ar_dashboard",
    steps: () => [
        {
            content: "The overdue card shows the overdue invoice",
            trigger: ".o_ar_kpi_card[data-kpi='overdue'] .o_ar_kpi_value:contains('4,321')",
        },
        {
            content: "The aging puts it in 31-60 days",
            trigger: ".o_ar_aging_bucket[data-bucket='31-60']:contains('4,321')",
        },
        {
            content: "The customer is the one to call",
            trigger: ".o_ar_customer:contains('Tour Customer Bảo Long'):contains('31-60')",
            run: "click",
        },
        {
            content: "Its open invoices are listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer Bảo Long')",
        },
    ],
});
