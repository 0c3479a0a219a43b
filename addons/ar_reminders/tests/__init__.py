from . import test_aging, test_reminders, test_statement
