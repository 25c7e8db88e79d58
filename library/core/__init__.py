"""The rules every feature shares: models, access (who may read, change, approve), what would be
published now, settings, the audit trail, vocabularies, rendering. Imports only the pure packages."""
