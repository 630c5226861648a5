"""The RCAS run report: maps, budget time series, observation fit and index.html (Docs/report.md)."""
