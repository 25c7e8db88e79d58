"""The rules every feature shares: the data model, who may read, change or approve what
(``access``), the audit trail, vocabularies, errors, rendering and the shape of a text."""
