"""The names people sign with when they do not want to be known: a default of the `rules.pseudonyms` setting,
kept apart from the name reader so that reading the settings does not load the name parser."""

from __future__ import annotations

DEFAULT_PSEUDONYMS = (
    "mickey mouse", "minnie mouse", "donald duck", "john doe", "jane doe", "joe bloggs", "fred bloggs", "batman",
    "spiderman", "superman", "homer simpson", "bart simpson", "harry potter", "santa claus", "father christmas",
    "darth vader", "james bond", "sherlock holmes", "ronald mcdonald", "joe public",
)
