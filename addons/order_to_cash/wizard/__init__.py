from . import (
    o2c_cod_import_wizard,
    o2c_override_wizard,
    o2c_pack_override_wizard,
    o2c_release_wizard,
)
