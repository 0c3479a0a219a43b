from . import o2c_cod_import_wizard, o2c_override_wizard
