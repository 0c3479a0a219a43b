from . import test_corrections, test_einvoice, test_lifecycle, test_symbols
