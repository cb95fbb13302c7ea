"""The application: one function per click or job step, each one unit of work."""
