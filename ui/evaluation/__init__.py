"""The expert's remote evaluation screens: the scoring session (SessionsPage) and its parts."""
