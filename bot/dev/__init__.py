"""Tools for developers and demos: the Agents Playground set-up and the Teams app package."""
