from . import test_stop_shipments
