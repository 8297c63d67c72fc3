"""Readers: what the words of a message say, each a pure function of text (and settings) in a module of its own.

Sentences and courtesies (`sentences`, `courtesies`), who the author is (`statements`, `names`, `name_words`), what
is asked and of whom (`description`, `asking`, `unsolicited`, `data_subject`, `regime_reading`, `keywords`), and
what the message answers or passes on (`subjects`, `references`, `quoting`, `receipts`, `forwards`, `webform`).
`facts.py` calls them once per message; rules read their findings from the facts, never the text again.
"""
