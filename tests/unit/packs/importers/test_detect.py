"""Format detection and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.errors import PackError
from app.packs.importers import detect_format
from tests.packs import make_pack

SAMPLES = {
    "openedx-demo-course/demo-course": "olx",
    "openedx-demo-course/demo-course/course": "olx",
    "openedx-demo-course/dist/demo-content-library.tar.gz": "olx",
    "scorm/packages/singlesco_scorm12.zip": "scorm",
    "imscc/allyworkshop.imscc": "imscc",
    "imscc/cc2olx-fixtures/imscc_files/main": "imscc",
    "zim/libkiwix/zimfile.zim": "zim",
    "h5p/h5p-test-truefalse.h5p": "h5p",
    "wikiedu-training/training_content": "wikiedu",
    "wikiedu-training/training_content/wiki_ed": "wikiedu",
    "mediawiki-xml-export/George_Tupou_V_and_templates.xml": "mediawiki",
    "mediawiki-help-wikitext": "mediawiki",
}


@pytest.mark.parametrize(("sample", "fmt"), sorted(SAMPLES.items()))
def test_detects_every_corpus_format(corpus: Path, sample: str, fmt: str) -> None:
    assert detect_format(corpus / sample) == fmt


def test_detects_packs_and_refuses_the_rest(corpus: Path, tmp_path: Path) -> None:
    pack = tmp_path / "a.ujpack"
    make_pack(pack)
    assert detect_format(pack) == "ujpack"
    with pytest.raises(PackError, match="No such file"):
        detect_format(tmp_path / "missing.zip")
    with pytest.raises(PackError, match="not a format"):
        detect_format(corpus / "media-samples" / "ricecooker" / "broken.pdf")
    with pytest.raises(PackError, match="not a format"):
        detect_format(corpus / "kolibri")


def test_cli_prints_what_could_not_be_converted(corpus: Path, home: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", str(corpus / "scorm" / "packages" / "singlescobasic_missingorg.zip"),
                 str(corpus / "scorm" / "packages" / "invalid.zip")])
    out, err = capsys.readouterr()
    assert code == 3
    assert "Imported scorm." in out
    assert "1 item could not be converted:" in out
    assert "  - organizations: the manifest has no organisation" in out
    assert "invalid.zip: invalid.zip is not a format Ujuzi can import" in err


def test_cli_json_lists_skipped_items(corpus: Path, home: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    pack = corpus / "mediawiki-xml-export" / "George_Tupou_V_and_templates.xml"
    assert main(["import", "--json", str(pack)]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["format"] == "mediawiki" and result["status"] == "imported"
    assert {"item", "reason"} == set(result["skipped"][0])
    assert result["resources"] == 1
