"""Imported once by the process that the upload workers are forked from: loads the extraction
and detection code and the word lists, so that each worker starts warm."""

from library.documents.processing import analyse_here  # noqa: F401
from library.redaction import warm

warm()
