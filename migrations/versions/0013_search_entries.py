"""the PostgreSQL search backend's entries (on PostgreSQL only)

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        """
        CREATE TABLE search_entries (
            document_id integer PRIMARY KEY,
            title text NOT NULL,
            summary text NOT NULL,
            body text NOT NULL,
            labels text[] NOT NULL,
            service_areas text[] NOT NULL,
            document_type text NOT NULL,
            region text NOT NULL,
            authority text NOT NULL,
            authority_name text NOT NULL,
            year text,
            published_at timestamp NOT NULL,
            newest bigint NOT NULL,
            fingerprint text NOT NULL,
            tsv tsvector NOT NULL
        ) WITH (toast_tuple_target = 8160)
        """
    )
    # The tsvector is read for every match (to rank it): kept in the row, uncompressed where it
    # fits, not in TOAST; the text is read for the page's snippets only: out of line, uncompressed.
    op.execute('ALTER TABLE search_entries ALTER COLUMN tsv SET STORAGE MAIN')
    op.execute('ALTER TABLE search_entries ALTER COLUMN body SET STORAGE EXTERNAL')
    # No pending list (fastupdate off): every query would scan it whole until a vacuum clears it.
    op.execute('CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv) WITH (fastupdate = off)')
    op.execute(
        'CREATE INDEX ix_search_entries_labels ON search_entries USING gin (labels) WITH (fastupdate = off)'
    )
    op.execute('CREATE INDEX ix_search_entries_newest ON search_entries (newest DESC)')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TABLE search_entries')
