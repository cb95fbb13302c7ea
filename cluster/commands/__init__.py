"""Typed commands: what a card click or a typed command asks for, as a frozen dataclass per action.

A command names its fields once (:mod:`cluster.commands.inputs`): which come from the card's own data (row ids,
a vote's choice) and which a person typed (inputs), and how each is read. The one parser
(:func:`cluster.commands.inputs.parse`) turns what a card sent into the command, or into mistakes keyed by the
field at fault; cards build their buttons' data from the same types (:func:`cluster.commands.inputs.data_for`),
so a card and its handler cannot disagree on a field. Use cases take commands, never raw card data.
"""
