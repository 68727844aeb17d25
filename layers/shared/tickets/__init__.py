"""Shared package of the Tickets API: models, logic, data access and the HTTP edge."""
