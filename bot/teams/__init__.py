"""The Teams edge: activities in (read, authenticated, described), cards out; the only place botbuilder is imported."""
