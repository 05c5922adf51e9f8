"""Database layer: typed models, engine and session factories, migrations runner."""
