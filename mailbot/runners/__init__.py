"""Runners move messages between the edges and the core: ingest, decide, act, send, notify."""
