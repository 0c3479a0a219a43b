from . import (
    account_move,
    account_partial_reconcile,
    ar_aging,
    ar_dashboard,
    ar_kpi_snapshot,
    ar_promise,
    ar_reminder,
    ar_reminder_level,
    ar_reminder_line,
    ar_reminder_policy,
    res_company,
    res_partner,
)
