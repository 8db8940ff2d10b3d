"""Code for partners to copy: a client of the Tussendeur API and a webhook receiver."""
