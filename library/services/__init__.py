"""The rules of the library. Services take the acting user and a database session as arguments,
write the audit trail, and never read the request or the signed-in user themselves."""
