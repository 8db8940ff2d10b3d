"""A consortium as a whole: a snapshot of everything in it, and its removal."""
