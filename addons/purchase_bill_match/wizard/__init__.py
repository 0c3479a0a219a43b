from . import account_payment_register, purchase_bill_match_approve
