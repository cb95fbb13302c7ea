"""The Teams edge: activities in, cards out; the only place botbuilder is imported."""
