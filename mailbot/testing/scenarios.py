"""The seed exchange: one copy, the one the demo ships in the wheel (mailbot/demo/data), used by tests too.

Located by path rather than by importing mailbot.demo, so a test that only reads the files does not load the
embedded servers.
"""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "demo" / "data" / "seed-cleveland"

