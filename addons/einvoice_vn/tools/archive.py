"""Archive rules: is the invoice a provider holds the one we signed? No odoo import."""

from lxml import etree

DSIG = "http://www.w3.org/2000/09/xmldsig#"
MAX_XML_BYTES = 10 * 1024 * 1024
# XML from outside: no entities, no network, no huge trees.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def seller_signature(xml):
    """The seller's SignatureValue (DSCKS/NBan/Signature), whitespace removed, or None.

    It covers the invoice data (DLHDon) and the signing time: two XML with the same value
    are the same signed invoice, whatever the provider added around it (the authority's
    code and signature)."""
    if not xml or len(xml) > MAX_XML_BYTES:
        return None
    try:
        root = etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError:
        return None
    value = root.find(f"DSCKS/NBan/{{{DSIG}}}Signature/{{{DSIG}}}SignatureValue")
    if value is None or not (value.text or "").strip():
        return None
    return "".join(value.text.split())


def same_signed_invoice(ours, theirs):
    """Whether the provider's copy ``theirs`` carries the invoice we signed (``ours``)."""
    signature = seller_signature(ours)
    return signature is not None and signature == seller_signature(theirs)
