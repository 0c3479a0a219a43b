{
    "name": "Receivable Reminders",
    "summary": "Reminder policies and crons (email, SMS), promises to pay, escalation into "
    "credit hold, aging as of any date, bad-debt provision, DSO and collection KPIs",
    "version": "19.0.1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["account", "mail"],
    "external_dependencies": {"python": ["phonenumbers", "requests"]},
    "data": [
        # security
        "security/ar_reminders_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/mail_template_data.xml",
        "data/ar_reminder_policy_data.xml",
        "data/ir_cron_data.xml",
        # reports
        "report/ar_statement_report.xml",
        # views
        "views/ar_reminder_policy_views.xml",
        "views/ar_reminder_views.xml",
        "views/ar_dashboard_views.xml",
        # menus
        "views/ar_reminders_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "ar_reminders/static/tests/tours/**/*",
        ],
        "web.assets_backend": [
            "ar_reminders/static/src/collections_dashboard/**/*",
        ],
    },
    "installable": True,
}
