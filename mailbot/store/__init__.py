"""Storage: the tables (models), the engine and migrations (db), and the queries the runners need."""
