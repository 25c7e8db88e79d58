"""Each sample document: after "accept all" and manual redaction of anything missed, none of the
manifest's strings is left in the preview (text, title or summary)."""

import json
from pathlib import Path

import pytest

from library.core.storage import LocalFileStorage
from library.documents import upload, workspace
from library.extraction import Limits

MANIFEST_FILES = [
    "kingsmere-early-help-self-assessment.md",
    "kingsmere-early-help-self-assessment.docx",
    "kingsmere-early-help-self-assessment.pdf",
    "kingsmere-early-help-action-plan.docx",
    "kingsmere-early-help-feedback.pptx",
    "ashcombe-send-scoping-letter.txt",
]


@pytest.mark.parametrize("name", MANIFEST_FILES)
def test_sample_preview_holds_no_manifest_string(app, db, people, samples, name):
    must_go = json.loads((samples / "manifest.json").read_text())["files"][name]
    storage = LocalFileStorage(Path(app.config["DATA_DIR"]) / "originals")
    with app.app_context():
        doc = upload.upload_document(
            db,
            storage,
            people.kgm_contributor,
            upload.UploadInput(
                title="Sample",
                document_type="self-assessment",
                service_areas=["early-help"],
                filename=name,
                data=(samples / name).read_bytes(),
            ),
            Limits(),
        )
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        after_accept_all = workspace.preview(doc).text
        missed = sorted({value for value in must_go if value in after_accept_all})
        for value in missed:
            if value in workspace.preview(doc).text:
                workspace.add_manual(db, people.kgm_contributor, doc.id, text=value, category="person")
        result = workspace.preview(doc)
        findings = workspace.final_check(db, doc)
    for value in must_go:
        assert value not in result.text and value not in result.title and value not in result.summary
    # Detection alone catches everything in these samples: nothing needed redacting by hand.
    assert missed == []
    assert findings == []
    assert result.pending == 0
