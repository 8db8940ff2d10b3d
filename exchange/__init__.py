"""The exchange domain: partners, profiles, vacancies, introductions, placements, audit,
statistics."""
