"""The README's first two commands are the contract with a newcomer; CI must run exactly the second."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_install_and_demo_then_the_ci_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) >= 2
    install, test = blocks[0].strip(), blocks[1].strip()
    assert "pip install" in install and install.endswith("mailbot demo")
    ci = re.search(r'^TEST_COMMAND="(.*)"$', (ROOT / ".ci" / "run").read_text(), re.M)
    assert ci is not None and ci.group(1) == test
