"""The pure core: values, tables, findings, validation, cross-checks, deadlines, handover, totals, changes.

It never opens a file and never imports xlwings, the .xlsx writer or a reader:
it takes grids of cell values and returns findings, figures and descriptions
of changes, which the backends apply (tests/test_architecture.py keeps it so).
"""
