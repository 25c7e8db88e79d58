"""Imported once by the process that the upload workers are forked from: loads the extraction
and detection code, the word lists and the PDF library, and asks once whether text recognition
is installed, so that each worker starts warm."""

import pypdfium2  # noqa: F401

from library.documents.processing import analyse_here  # noqa: F401
from library.extraction import ocr
from library.redaction import warm

warm()
ocr.available()
