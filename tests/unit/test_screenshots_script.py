"""bin/screenshots points at screens that exist: each action it opens is defined in our
addons, and each element it waits for is rendered by the addon that owns the screen."""

import importlib.machinery
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    loader = importlib.machinery.SourceFileLoader("screenshots", str(ROOT / "bin" / "screenshots"))
    spec = importlib.util.spec_from_loader("screenshots", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _addon_text(addon, *patterns):
    return "\n".join(
        path.read_text(encoding="utf-8")
        for pattern in patterns
        for path in (ROOT / "addons" / addon).glob(pattern)
    )


def test_every_screen_opens_an_existing_action():
    script = _script()
    for name, url, _selector in script.SCREENS:
        match = re.fullmatch(r"/odoo/action-(\w+)\.(\w+)(/\{\w+\})?", url)
        assert match, f"{name}: {url} is not an action URL"
        addon, xmlid = match.group(1), match.group(2)
        assert f'id="{xmlid}"' in _addon_text(addon, "views/*.xml"), f"{name}: {addon}.{xmlid}"


def test_every_awaited_element_is_rendered_by_its_addon():
    script = _script()
    for name, url, selector in script.SCREENS:
        addon = re.match(r"/odoo/action-(\w+)\.", url).group(1)
        text = _addon_text(addon, "views/*.xml", "static/src/**/*.xml")
        for css_class in re.findall(r"\.(o_(?:ar|o2c)_\w+)", selector):
            assert css_class in text, f"{name}: .{css_class} is not in {addon}"
        for field in re.findall(r"\[name='(\w+)'\]", selector):
            assert f'name="{field}"' in text, f"{name}: field {field} is not in {addon}'s views"


def test_the_pdf_report_exists():
    script = _script()
    addon = script.PDF_REPORT.split(".")[0]
    assert f'<field name="report_name">{script.PDF_REPORT}</field>' in _addon_text(
        addon, "report/*.xml"
    )
