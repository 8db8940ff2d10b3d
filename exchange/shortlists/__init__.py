"""A shortlist per vacancy, private to the partner that posted it; and each recruiter's last
visit to a vacancy's matches (what "new since your last visit" compares with)."""
