from . import test_aging, test_reminders
