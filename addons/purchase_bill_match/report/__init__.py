from . import purchase_bill_match_report
