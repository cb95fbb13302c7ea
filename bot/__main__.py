"""``python -m bot`` runs the clusterbot command."""

from bot.cli.main import main

main()
