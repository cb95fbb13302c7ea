"""Delivering what is owed: the outbox sender, the notifier that wakes it, and the channel cards it draws."""
