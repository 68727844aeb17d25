"""Email notifications: templates in files, rendered safely, sent once through SES."""
