"""Reports built from the place's published material: every figure equals its source in
the HTML, the PDF's text and the Word text; issued versions are immutable and compared."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from tests.barriers.helpers import another_place, barriers_csv, fill, row
from tests.helpers import HANDMADE
from totalplace.barriers import service as barriers
from totalplace.cases.service import cases as case_service
from totalplace.core.money import format_gbp, pounds_to_pence
from totalplace.core.problems import ImportRejected
from totalplace.core.store.db import Store
from totalplace.count.service.publishing import publication, publish
from totalplace.places.service.packages import export_package, import_package
from totalplace.reports import service as reports

P = "testshire"
YEAR = "2009-10"


# The deep dive's hand-made flows: department -> council -> (passed on) PCT -> provider,
# and the Home Office to the police: £1.2m enters, £350k is passed on, £250k leaves.
FLOWS = Path(__file__).parent.parent / "deepdive" / "data" / "funding_flows.csv"


@pytest.fixture
def place(store: Store, tmp_path: Path) -> Store:
    package = tmp_path / "package"
    shutil.copytree(HANDMADE, package)
    shutil.copy(FLOWS, package / "funding_flows.csv")
    import_package(package, store=store)
    fill(store)
    publish(store, P, YEAR, "lead@test")
    barriers.add_from_file(store, P, barriers_csv([row()]), "b.csv", "lead@test")
    return store


class Figures(HTMLParser):
    """Each `data-figure` cell's text, by its key; and every link's address."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self.links: list[str] = []
        self._key: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("data-figure"):
            self._key = values["data-figure"]
            self.found[str(self._key)] = ""
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self.found[self._key] += data


def gbp(pounds: object) -> str:
    return format_gbp(pounds_to_pence(Decimal(str(pounds))))


def expected(store: Store) -> dict[str, str]:
    """The figures as their sources hold them, worked out here from the sources."""
    pub = publication(store, P, YEAR, 1)
    assert pub is not None
    figures = pub.figures
    out = {
        "count.total": gbp(figures["total_gbp"]),
        "count.per_head": gbp(figures["per_head_gbp"]),
        "count.estimated_share": f"{Decimal(str(figures['estimated_share'])) * 100:.1f}%",
    }
    for item in figures["by_cofog_division"]:
        out[f"count.function.{item['code']}"] = gbp(item["gbp"])
    for item in figures["by_agency"]:
        out[f"count.agency.{item['agency_id']}"] = gbp(item["gbp"])
    case = case_service.cases(store, P)[0]
    appraisal = case_service.appraisal_of(case)
    out["cases.intensive-family-support.npv"] = format_gbp(round(appraisal.npv * 100))
    out["barriers.TESTSHIRE-B-001.blocked"] = format_gbp(round(appraisal.npv * 100))
    out["deepdive.entering"] = "£1,200,000.00"
    out["deepdive.within"] = "£350,000.00"
    out["deepdive.leaving"] = "£250,000.00"
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_figure_equals_its_source_in_html_pdf_and_word(place: Store, tmp_path: Path) -> None:
    report, written = reports.build(place, P, YEAR, tmp_path / "out", False, "lead@test")
    assert [p.name for p in written] == ["report.html", "report.pdf", "report.docx"]
    parsed = Figures()
    parsed.feed((tmp_path / "out" / "report.html").read_text())
    want = expected(place)
    for key, value in want.items():
        assert parsed.found[key].strip() == value, key
    # Every figure the report holds is in the HTML with its value, and read back the same.
    assert {k: v.value for k, v in report.figures().items()} == {
        k: v.strip() for k, v in parsed.found.items()
    }
    # Each figure's source is linked: the publication page, the case, the barrier.
    assert f"/places/{P}/publications/{YEAR}/1" in parsed.links
    assert any(link.startswith(f"/places/{P}/cases/") for link in parsed.links)
    pdf = PdfReader(tmp_path / "out" / "report.pdf")
    pdf_text = squash("".join(page.extract_text() for page in pdf.pages))
    word = Document(str(tmp_path / "out" / "report.docx"))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    word_text = squash("\n".join([*(p.text for p in word.paragraphs), *cells]))
    for key, figure in report.figures().items():
        assert squash(figure.value) in pdf_text, key
        assert squash(figure.value) in word_text, key
    for value in want.values():
        assert squash(value) in pdf_text and squash(value) in word_text
    # The returns behind the count, with their SHA-256, are in the sources.
    pub = publication(place, P, YEAR, 1)
    assert pub is not None
    for item in pub.returns:
        assert str(item["lines_sha256"]) in (tmp_path / "out" / "report.html").read_text()


def test_projected_figures_say_so_with_their_method(place: Store) -> None:
    report = reports.assemble(place, P, YEAR, "interim")
    figures = report.figures()
    npv = figures["cases.intensive-family-support.npv"]
    assert npv.basis == "projected" and "Green Book" in npv.method
    for figure in figures.values():
        if figure.basis in ("projected", "estimate") and figure.key != "count.estimated_share":
            assert figure.method, figure.key
    annual = [f for k, f in figures.items() if k.endswith(".annual")]
    assert annual and all("scaled, not" in f.method for f in annual)


def test_a_section_with_nothing_says_none_yet(store: Store, tmp_path: Path) -> None:
    import_package(HANDMADE, store=store)
    publish(store, P, YEAR, "lead@test")
    report, _ = reports.build(store, P, YEAR, tmp_path, True, "lead@test")
    empty = {s.key for s in report.sections if s.empty}
    assert empty == {"deepdive", "journeys", "cases", "estate", "barriers", "voices"}
    assert report.version is None and reports.versions(store, P) == []
    assert (tmp_path / "report.html").read_text().count("None yet.") == len(empty)


def test_a_report_needs_a_published_count(store: Store) -> None:
    import_package(HANDMADE, store=store)
    with pytest.raises(ImportRejected) as caught:
        reports.issue(store, P, YEAR, "final", "lead@test")
    assert caught.value.problems[0].code == "no-publication"
    draft = reports.assemble(store, P, YEAR, "interim")
    assert draft.sections[0].empty


def test_issued_versions_do_not_change_and_compare_figure_by_figure(place: Store) -> None:
    first = reports.issue(place, P, YEAR, "interim", "lead@test")
    # Afterwards: a second case and a new publication change what a report would say.
    case = case_service.cases(place, P)[0]
    spec = dict(case.spec)
    spec["name"] = "Second case"
    import json

    case_service.add_case(place, P, json.dumps(spec).encode(), "second.json", "lead@test")
    barriers.change_status(place, P, "TESTSHIRE-B-001", "escalated", "2010-02-01", "x", "l")
    assert reports.issued(place, P, 1) == first
    second = reports.issue(place, P, YEAR, "final", "lead@test")
    assert second.version == 2
    comparison = reports.compare_versions(place, P, 1, 2)
    changed = {f.key: (f.before, f.after) for f in comparison.figures}
    assert changed["cases.second-case.npv"][0] is None
    assert changed["barriers.TESTSHIRE-B-001.status"] == ("raised", "escalated")
    assert "count.total" not in changed and comparison.unchanged > 0
    assert {s.key for s in comparison.sections} == {"cases", "barriers"}
    assert all(s.change == "changed" for s in comparison.sections)
    # The stored copy is checked against its SHA-256 on reading.
    from totalplace.reports.tables import ReportRow

    with place.transaction() as session:
        stored = session.get(ReportRow, (P, 1))
        assert stored is not None
        stored.content = {**stored.content, "title": "Changed afterwards"}
    with pytest.raises(ImportRejected) as caught:
        reports.issued(place, P, 1)
    assert caught.value.problems[0].code == "bad-record"


def test_issued_reports_travel_in_the_place_data_package(place: Store, tmp_path: Path) -> None:
    reports.issue(place, P, YEAR, "final", "lead@test")
    package = export_package(P, tmp_path / "package", store=place)
    assert (package / "reports.json").is_file()
    import_package(package, store=place, replace=True)
    assert [v.version for v in reports.versions(place, P)] == [1]
    assert reports.issued(place, P, 1).stage == "final"
    text = (package / "reports.json").read_text().replace("final report", "altered report")
    (package / "reports.json").write_text(text)
    with pytest.raises(ImportRejected) as caught:
        import_package(package, store=place, replace=True)
    assert caught.value.problems[0].code == "bad-record"


def test_the_consolidated_report_states_its_coverage(place: Store, tmp_path: Path) -> None:
    another_place(place, tmp_path)
    report = reports.consolidated(place, [P, "otherton"], YEAR)
    figures = report.figures()
    pub = publication(place, P, YEAR, 1)
    assert pub is not None
    assert figures["summary.total"].value == gbp(pub.figures["total_gbp"])
    assert figures["summary.total"].label == "Counted spending, 1 of 2 places"
    assert figures[f"{P}.barriers"].value == "1"
    assert "otherton.count.total" not in figures
    assert "1 of the 2 places" in report.sections[0].paragraphs[0]
    written = reports.write_consolidated(place, [P, "otherton"], YEAR, tmp_path / "c")
    assert [p.name for p in written] == ["report.html", "report.pdf", "report.docx"]


def test_cost_of_failure_models_are_projections_equal_to_their_run(place: Store) -> None:
    from tests.helpers import DATA
    from totalplace.models.service import models as model_service

    content = (DATA / "models" / "hiv_chancellor_1997.json").read_bytes()
    model_service.add_model(place, P, content, "hiv.json", "lead@test")
    [record] = model_service.records(place, P)
    run = model_service.run(record.spec, draws=0)
    figures = reports.assemble(place, P, YEAR, "interim").figures()
    shown = [f for k, f in figures.items() if k.startswith("models.")]
    assert len(shown) == len(run["strategies"]) > 1
    for figure, strategy in zip(shown, run["strategies"], strict=True):
        assert figure.value == format_gbp(round(float(strategy["total_cost"]) * 100))
        assert figure.basis == "projected" and "state-transition" in figure.method
        assert figure.source.href == f"/places/{P}/models/{record.id}"
