"""workbook-tools: the after-sales team's Excel workbooks as validated, auto-computed tools."""

__version__ = "0.1.0"
