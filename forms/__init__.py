"""PDF forms and reports (reportlab) and PDF signing helpers. Imports nothing from bidclient or ui."""
