"""The checks a reminder level's SMS and email texts get when the level is saved."""

import pytest
from ar_tools import sms

KNOWN = ("partner", "amount", "count", "company")


def test_known_placeholders_pass():
    assert sms.unknown_placeholders("{company}: {partner} nợ {amount} ({count} HĐ)", KNOWN) == []
    assert sms.unknown_placeholders("", KNOWN) == []
    assert sms.unknown_placeholders("{{literal braces}}", KNOWN) == []


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("{partner} owes {amout}", ["{amout}"]),
        ("{partner.name}", ["{partner.name}"]),
        ("{amount:>10}", ["{amount:>10}"]),
        ("{partner!r}", ["{partner!r}"]),
        ("{0} and {}", ["{0}", "{}"]),
        ("{x} {x} {y}", ["{x}", "{x}", "{y}"]),
    ],
)
def test_unknown_placeholders_are_named(text, unknown):
    assert sms.unknown_placeholders(text, KNOWN) == unknown


@pytest.mark.parametrize("text", ["{partner", "owes }", "{partner}{"])
def test_broken_braces_raise(text):
    with pytest.raises(sms.SmsError, match="not a valid template"):
        sms.unknown_placeholders(text, KNOWN)


def test_object_attributes_of_a_mail_template():
    text = (
        "{{ object.company_id.name }}: {{ object.amout_due }} "
        '<t t-out="object.partner_id.name"/> {{ object.company_id.phone }} subject.x'
    )
    assert sms.object_attributes(text) == ["company_id", "amout_due", "partner_id"]
    assert sms.object_attributes(None) == []
