"""How long or how many each thing people send may be: one place, read by the services that check
them and by the API's description that states them."""

TITLE_MAX = 200  # a document's or peer challenge's title
SUMMARY_MAX = 2000  # a document's summary
FOCUS_MAX = 2000  # a peer challenge's focus
NOTE_MAX = 2000  # the note sending a document back
REASON_MAX = 2000  # a reason for withdrawal or take-down
TERM_MAX = 200  # a term of an authority's lists, or text redacted by hand
REPLACEMENT_MAX = 200  # own words instead of a label
HEADING_MAX = 200  # a heading chosen for a starter
MAX_HEADINGS = 60
MAX_KLOES = 100
MAX_FOLLOWS = 50
FIRST_YEAR = 2000  # the earliest year a document or challenge may give
