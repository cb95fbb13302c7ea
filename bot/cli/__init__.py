"""The `clusterbot` command line for operators and the council."""
