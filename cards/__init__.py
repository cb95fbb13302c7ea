"""Card builders: pure functions from a result to Adaptive Card JSON (schema 1.5, Teams' maximum).

Cards are plain dicts rather than objects from the PyPI package ``adaptivecards``: that package (0.4.1,
2021) has no inputs or actions, defaults to schema 1.2, and its objects reach Teams as strings through the
Bot Framework serializer. Plain dicts are what Teams receives, are easy to pin in golden files, and are
checked against Microsoft's 1.5 JSON schema in the tests.
"""
