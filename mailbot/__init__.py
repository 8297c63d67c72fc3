"""mailbot: answers a UK public authority's FOI mailbox lawfully, once per message, on time."""

__version__ = "0.1.0"
