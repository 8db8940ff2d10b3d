"""Time-based webhook events: placement outcomes due, new matches."""
