"""The image check CI runs in place of a Docker build (no Docker engine on our machines)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("check_image", ROOT / "docker" / "check_image.py")
check_image = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_image)

BASE = (ROOT / "docker" / "base-image-packages.txt").read_text(encoding="utf-8")


def _addon(tmp_path, name, python):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__manifest__.py").write_text(
        repr({"name": name, "external_dependencies": {"python": python}}), encoding="utf-8"
    )


def test_the_project_image_provides_every_external_dependency():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert check_image.problems(ROOT / "addons", dockerfile, BASE) == []
    assert "python3-xmlsec" in check_image.dockerfile_packages(dockerfile)


def test_the_bare_base_image_lacks_xmlsec(tmp_path):
    _addon(tmp_path, "einvoice_vn", ["lxml", "xmlsec"])
    found = check_image.problems(tmp_path, "FROM odoo:19\n", BASE)
    assert len(found) == 1
    assert found[0].startswith("xmlsec (external dependency of einvoice_vn): python3-xmlsec")


def test_unknown_dependency_is_named(tmp_path):
    _addon(tmp_path, "x", ["pandas"])
    [problem] = check_image.problems(tmp_path, "FROM odoo:19\n", BASE)
    assert "pandas" in problem and "DEBIAN_PACKAGE" in problem


def test_pip_wheel_of_xmlsec_is_refused(tmp_path):
    _addon(tmp_path, "x", ["xmlsec"])
    dockerfile = (
        "FROM odoo:19\n# no pip install of xmlsec here\n"
        "RUN apt-get update && apt-get install -y \\\n    python3-xmlsec\n"
        "RUN pip3 install --break-system-packages xmlsec\n"
    )
    found = check_image.problems(tmp_path, dockerfile, BASE)
    assert found == [
        "docker/Dockerfile pip-installs a wheel of lxml or xmlsec: "
        "RUN pip3 install --break-system-packages xmlsec"
    ]
