from . import test_matching, test_payment_hold
