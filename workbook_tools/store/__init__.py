"""The archive database: closed ledger rows moved out of the workbook (SQLite beside it, or PostgreSQL)."""
