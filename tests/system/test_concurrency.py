"""Four processes giving, changing and withdrawing consent at once: the search index ends equal
to the database, with nothing lost to the index lock."""

import multiprocessing
from pathlib import Path

from library.core.models import Document, IndexOutbox, User
from library.documents import upload, workspace
from library.extraction import Limits
from tests.helpers import consent

WORKERS = 4
DOCUMENTS = 50


def _work(config: dict, worker: int, document_ids: list[int]) -> None:
    from library import create_app
    from library.documents import publication

    app = create_app(config)
    session = app.extensions["db_sessionmaker"]()
    approver = session.query(User).filter_by(email="approver@kgm.example").one()
    with app.app_context():
        for n, doc_id in enumerate(document_ids):
            version = consent(session, approver, doc_id, "national", True)
            publication.change_scope(
                session, approver, doc_id, ("authority", "region")[(n + worker) % 2], version.text_hash
            )
            if n % 2 == 0:
                publication.withdraw(session, approver, doc_id, f"worker {worker}")
    session.close()


def test_four_processes_leave_the_index_equal_to_the_database(app, db, people):
    storage_root = Path(app.config["DATA_DIR"]) / "originals"
    from library.core.storage import LocalFileStorage

    storage = LocalFileStorage(storage_root)
    ids = []
    with app.app_context():
        for i in range(DOCUMENTS):
            doc = upload.upload_document(
                db,
                storage,
                people.kgm_contributor,
                upload.UploadInput(
                    title=f"Plan {i}",
                    document_type="action-plan",
                    service_areas=["early-help"],
                    filename="p.md",
                    data=f"# Plan {i}\n\nStep-down work number {i}.\n".encode(),
                ),
                Limits(),
            )
            workspace.accept_all(db, people.kgm_contributor, doc.id)
            ids.append(doc.id)
    config = {
        "ENV_NAME": "test",
        "DATA_DIR": app.config["DATA_DIR"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
        "WTF_CSRF_ENABLED": False,
    }
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_work, args=(config, w, ids[w::WORKERS])) for w in range(WORKERS)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=300)
    assert [p.exitcode for p in processes] == [0] * WORKERS

    db.expire_all()
    statuses = {d.id: (d.status, d.scope) for d in db.query(Document)}
    assert sum(1 for s, _ in statuses.values() if s == "withdrawn") == sum(
        (len(ids[w::WORKERS]) + 1) // 2 for w in range(WORKERS)
    )
    assert db.query(IndexOutbox).count() == 0
    indexer = app.extensions["search_indexer"]
    assert indexer.differences() == []
    indexed = app.extensions["search"].indexed()
    assert set(indexed) == {doc_id for doc_id, (status, _) in statuses.items() if status == "published"}
