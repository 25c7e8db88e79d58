"""Adversarial markdown at the limits: every page that shows such a text answers in under 1 s.

Each shape is uploaded as a markdown file at the character limit (750,000 characters), and again at
the largest size the element limit accepts: setext headings, nested lists and quotes, emphasis
runs, wide and tall tables, reference links, ATX headings, list items, hard breaks, raw HTML,
brackets. Each upload is read in the worker with the configured limits; what is accepted is then
opened on every page that renders its text: the owners' document page, the redaction workspace,
the consent page, the reader's page once shared, and the Word download. Target: each page's first
opening (nothing cached) under 1 s; a refused upload answers within the worker's deadline.
"""

from __future__ import annotations

import tempfile
import time

PAGE_TARGET_S = 1.0
LIMIT = 750_000


def shapes(size: int) -> dict[str, str]:
    """Each shape repeated to ``size`` characters."""

    size -= 1  # the file's last line gets its newline when the text is read

    def fill(unit: str) -> str:
        return unit * max(size // len(unit), 1)

    nested = "".join("  " * (i % 300) + "- item\n" for i in range(size // 300))
    return {
        "setext headings": fill("a\n=\n"),
        "setext h2": fill("a\n-\n"),
        "nested lists": nested[:size],
        "nested numbered": "".join("   " * (i % 200) + "1. x\n" for i in range(size // 300))[:size],
        "nested quotes": ">" * (size - 3) + " x\n",
        "list markers": "- " * (size // 2 - 2) + "x\n",
        "emphasis runs": fill("*a **b "),
        "star run": "*" * (size // 2) + "a" + "*" * (size // 2 - 2) + "\n",
        "wide table": "|" + "a|" * (size // 4 - 2) + "\n|" + "-|" * (size // 4 - 2) + "\n",
        "tall table": "|a|b|\n|-|-|\n" + fill("|x|y|\n")[: size - 12],
        "reference links": fill("[a]: http://x.example\n")[: size - 500] + "[a] " * 100,
        "atx headings": fill("# a\n"),
        "list items": fill("- a\n"),
        "hard breaks": fill("a  \n"),
        "raw html": fill("<div>"),
        "brackets": "[" * (size // 2) + "]" * (size // 2),
    }


def _largest_accepted(text_for, cap: int) -> str:
    """The largest prefix size of a shape whose text renders to at most ``cap`` elements."""
    from library.core.rendering import element_count

    low, high = 1_000, LIMIT
    if element_count(text_for(high)) <= cap:
        return text_for(high)
    while high - low > 2_000:
        mid = (low + high) // 2
        if element_count(text_for(mid)) <= cap:
            low = mid
        else:
            high = mid
    return text_for(low)


def _warm(app, people, clients, limits) -> None:
    """Open every page once on a small document: templates compiled, as in a serving process."""
    from library.documents import upload as documents
    from library.documents import workspace
    from library.web.database import get_session
    from tests.helpers import consent

    with app.app_context():
        session = get_session()
        document = documents.upload_document(
            session,
            app.extensions["file_storage"],
            session.merge(people["contributor"]),
            documents.UploadInput(
                title="Warm",
                document_type="self-assessment",
                service_areas=["early-help"],
                year=2025,
                filename="warm.md",
                data=b"# Warm\n\nAmelia Hughes met the team.\n",
            ),
            limits,
        )
        document_id = document.id
    clients["contributor"].get(f"/documents/{document_id}")
    clients["contributor"].get(f"/documents/{document_id}/redact")
    with app.app_context():
        session = get_session()
        workspace.accept_all(session, session.merge(people["contributor"]), document_id)
    clients["contributor"].get(f"/documents/{document_id}/redact")
    clients["approver"].get(f"/documents/{document_id}/consent")
    with app.app_context():
        session = get_session()
        consent(session, session.merge(people["approver"]), document_id, "region")
    clients["reader"].get(f"/documents/{document_id}")
    clients["reader"].get(f"/documents/{document_id}/download?format=docx")


def run(verbose: bool = False) -> list[dict]:
    from library import create_app
    from library.accounts import service as accounts
    from library.core.errors import ServiceError
    from library.core.rendering import _section_html, element_count
    from library.core.vocabularies import load_vocabularies
    from library.documents import upload as documents
    from library.documents import workspace
    from library.extraction import ExtractionError, Limits
    from library.ops.migrate import upgrade
    from library.web.database import get_session
    from tests.helpers import consent

    rows = []
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(
            {"ENV_NAME": "test", "DATA_DIR": data_dir, "LOG_LEVEL": "WARNING", "WTF_CSRF_ENABLED": False}
        )
        upgrade(app.extensions["db_engine"])
        password = "bench-password-1234"
        with app.app_context():
            session = get_session()
            load_vocabularies(session)
            accounts.create_authority(session, None, "KGM", "Kingsmere Borough Council", "south-east")
            accounts.create_authority(session, None, "ASH", "Ashcombe County Council", "south-east")
            people = {
                role: accounts.create_user(
                    session,
                    None,
                    email=f"{role}@bench.example",
                    name=f"Bench {role}",
                    role=role,
                    authority_code="ASH" if role == "reader" else "KGM",
                    password=password,
                )
                for role in ("contributor", "approver", "reader")
            }
        limits = Limits.from_config(app.config)
        clients = {}
        for role in people:
            clients[role] = app.test_client()
            clients[role].post("/login", data={"email": f"{role}@bench.example", "password": password})
        _warm(app, people, clients, limits)
        cases = []
        for name in shapes(1_000):
            cases.append((name, "at the character limit", shapes(LIMIT)[name]))
            accepted = _largest_accepted(lambda size, name=name: shapes(size)[name], limits.max_elements)
            if accepted != shapes(LIMIT)[name]:
                cases.append((name, "at the element limit", accepted))
        for name, size_label, text in cases:
            row = {"shape": name, "size": size_label, "characters": len(text)}
            row["elements"] = element_count(text)
            started = time.perf_counter()
            with app.app_context():
                session = get_session()
                try:
                    document = documents.upload_document(
                        session,
                        app.extensions["file_storage"],
                        session.merge(people["contributor"]),
                        documents.UploadInput(
                            title=f"Shape {name}",
                            document_type="self-assessment",
                            service_areas=["early-help"],
                            year=2025,
                            filename="shape.md",
                            data=text.encode(),
                        ),
                        limits,
                    )
                except (ExtractionError, ServiceError) as exc:
                    row.update(outcome=f"refused: {exc.code}", upload=time.perf_counter() - started, pages={})
                    row["ok"] = row["upload"] < limits.timeout_seconds + 2
                    rows.append(row)
                    if verbose:
                        print(row, flush=True)
                    continue
                row["upload"] = time.perf_counter() - started
                document_id = document.id
            pages: dict[str, float] = {}

            def timed(role: str, path: str, label: str, pages: dict = pages) -> None:
                _section_html.cache_clear()  # as a worker that never rendered this text
                started = time.perf_counter()
                response = clients[role].get(path)
                pages[label] = time.perf_counter() - started
                assert response.status_code == 200, (label, response.status_code)

            timed("contributor", f"/documents/{document_id}", "document")
            timed("contributor", f"/documents/{document_id}/redact", "workspace")
            with app.app_context():
                session = get_session()
                workspace.accept_all(session, session.merge(people["contributor"]), document_id)
            timed("approver", f"/documents/{document_id}/consent", "consent")
            with app.app_context():
                session = get_session()
                consent(session, session.merge(people["approver"]), document_id, "region")
            timed("reader", f"/documents/{document_id}", "reader")
            timed("reader", f"/documents/{document_id}/download?format=docx", "word")
            row.update(outcome="accepted", pages=pages)
            row["ok"] = all(seconds < PAGE_TARGET_S for seconds in pages.values())
            rows.append(row)
            if verbose:
                print(row, flush=True)
        app.extensions["search"].close()
        app.extensions["db_engine"].dispose()
    return rows


if __name__ == "__main__":
    run(verbose=True)
