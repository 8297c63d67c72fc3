"""A web form relayed the request: the requester's details are in labelled fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "relayed-form"
DESCRIPTION = "A web form relayed the request: the requester's details are in labelled fields."
ROBOT = False


def check(facts: Facts) -> str | None:
    if facts.form is None:
        return None
    return "relayed by a web form: the request and the reply address come from its fields"
