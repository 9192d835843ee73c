"""Mesa agents: firms climbing the smart-upgrade ladder and districts running policy (no SD imports)."""
