{
    "name": "Receivable Reminders",
    "summary": "Reminder policies and crons (email, SMS), escalation into credit hold, "
    "aging and DSO",
    "version": "19.0.0.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["account", "mail"],
    "data": [
        "security/ar_reminders_security.xml",
        "views/ar_reminders_menus.xml",
    ],
    "installable": True,
}
