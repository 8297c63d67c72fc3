"""The staff web app: server-rendered pages over the bot's own database (see docs/architecture.md)."""
