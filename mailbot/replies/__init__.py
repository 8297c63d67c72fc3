"""The wording of every mail the bot sends: templates, their catalogue and their check."""
