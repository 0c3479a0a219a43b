"""Workflow fields of return requests and complaints move only through their
actions, as OCA queue_job guards its jobs and einvoice_vn its archive: the
addon's own code puts a Python object in the context, which a context coming
over RPC (JSON) cannot hold, whoever calls (the administrator included)."""

from odoo.exceptions import AccessError

WORKFLOW_CONTEXT_KEY = "_o2c_after_sales_workflow_sentinel"
WORKFLOW_SENTINEL = object()


def trusted(records):
    """``records`` in the context that lets this addon's actions write their
    workflow fields."""
    return records.with_context(**{WORKFLOW_CONTEXT_KEY: WORKFLOW_SENTINEL})


def is_trusted(env):
    return env.context.get(WORKFLOW_CONTEXT_KEY) is WORKFLOW_SENTINEL


def check_workflow_fields(records, vals_list, protected):
    """Refuse, outside the addon's own actions, values for the ``protected``
    workflow fields of ``records`` (a model or recordset)."""
    if is_trusted(records.env):
        return
    names = sorted({name for vals in vals_list for name in vals} & set(protected))
    if names:
        raise AccessError(
            records.env._(
                "%(model)s: the fields %(fields)s change only through the request's "
                "actions (approve, receive, resolve, cancel), not by editing them.",
                model=records._description,
                fields=", ".join(names),
            )
        )
