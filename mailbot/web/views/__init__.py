"""One module per screen; each exposes ROUTES for mailbot/web/app.py."""
