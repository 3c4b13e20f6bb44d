"""Terminal rendering: tables, the paper view, charts, messages and progress."""
