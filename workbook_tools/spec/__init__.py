"""Declarations: every sheet, column, choice list, rule and label the tool knows, and nothing else.

The only layer that holds names. It imports nothing from the rest of the package.
"""
