"""``python -m bot`` runs the clusterbot command."""

from bot.cli import main

main()
