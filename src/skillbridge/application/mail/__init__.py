"""Mail to users: templates in their language, composed here and sent from background jobs."""
