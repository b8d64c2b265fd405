"""The place data package's Table Schemas: one source for validation, datapackage.json
and the documentation in docs/formats/ (a test checks the documentation matches)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: string, integer, number, boolean, date
    description: str
    required: bool = False
    constraints: tuple[tuple[str, Any], ...] = ()

    def table_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        constraints = dict(self.constraints)
        if self.required:
            constraints["required"] = True
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    required: bool = True

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def required_names(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def descriptor(self, extra_columns: list[str] | None = None) -> dict[str, Any]:
        fields = [f.table_schema() for f in self.fields]
        for name in extra_columns or []:
            fields.append({"name": name, "type": "string", "description": "Kept as imported."})
        schema: dict[str, Any] = {"fields": fields}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }


AGENCY_TYPES = (
    "county council",
    "district council",
    "unitary council",
    "metropolitan district council",
    "london borough",
    "combined authority",
    "NHS commissioner",
    "NHS trust",
    "police",
    "fire and rescue",
    "probation",
    "DWP/Jobcentre Plus",
    "housing association",
    "voluntary",
    "national body",
    "other",
)

PLACE = Resource(
    name="place",
    title="The place",
    description="The area under study: one row.",
    fields=(
        Field(
            "place_id",
            "string",
            "A short identifier chosen by the place, e.g. trafford.",
            True,
            (("pattern", "^[a-z0-9][a-z0-9_-]*$"),),
        ),
        Field("name", "string", "The place's name.", True),
        Field(
            "gss_codes",
            "string",
            "The ONS GSS codes of its local authority areas, `;`-separated.",
            True,
        ),
    ),
    primary_key=("place_id",),
)

POPULATIONS = Resource(
    name="populations",
    title="Populations",
    description="Mid-year population of each area of the place.",
    fields=(
        Field("gss_code", "string", "ONS GSS code of the area.", True),
        Field("year", "integer", "The mid-year of the estimate, e.g. 2009 for mid-2009.", True),
        Field(
            "population",
            "integer",
            "People living in the area at that mid-year.",
            True,
            (("minimum", 0),),
        ),
    ),
    primary_key=("gss_code", "year"),
    required=False,
)

AGENCIES = Resource(
    name="agencies",
    title="Agencies",
    description="Every body that funds or delivers public services in the place.",
    fields=(
        Field(
            "agency_id",
            "string",
            "A short identifier for the agency, unique in the place.",
            True,
            (("pattern", "^[A-Za-z0-9][A-Za-z0-9_.-]*$"),),
        ),
        Field("name", "string", "The agency's name.", True),
        Field(
            "agency_type",
            "string",
            "Its kind: " + ", ".join(AGENCY_TYPES) + " (other words are kept as given).",
            True,
        ),
    ),
    primary_key=("agency_id",),
)

APPORTIONMENT = Resource(
    name="apportionment",
    title="Apportionment",
    description="The share of an agency's spending that falls to the place, for bodies "
    "that serve more than the place.",
    fields=(
        Field("agency_id", "string", "The agency.", True),
        Field("place_id", "string", "The place.", True),
        Field(
            "share",
            "number",
            "The share, from 0 to 1 (at most 12 decimal places).",
            True,
            (("minimum", 0), ("maximum", 1)),
        ),
        Field("basis", "string", "What the share is based on: population, caseload, ..."),
        Field("source", "string", "Where the share's figures come from."),
    ),
    primary_key=("agency_id", "place_id"),
    required=False,
)

RETURNS = Resource(
    name="returns",
    title="Returns",
    description="The spend lines of every agency of the place.",
    fields=(
        Field("agency_id", "string", "The agency that spent the money.", True),
        Field(
            "financial_year",
            "string",
            "The financial year, e.g. 2009-10.",
            True,
            (("pattern", r"^\d{4}-\d{2}$"),),
        ),
        Field("description", "string", "What the money was spent on."),
        Field(
            "amount_gbp",
            "number",
            "Pounds sterling, at most two decimal places; negative for credits.",
            True,
        ),
        Field("cofog", "string", "COFOG code: division `07`, group `07.3` or class `07.3.1`."),
        Field("sercop", "string", "SeRCOP service division code, e.g. ASC."),
        Field("themes", "string", "Local themes, `;`-separated; a line counts in each."),
        Field(
            "funding_source",
            "string",
            "Who funded the line: the funder's agency_id or a department's name.",
        ),
        Field(
            "counterparty_agency_id",
            "string",
            "Set when the line is a payment to another agency of the place.",
        ),
        Field(
            "spend_type",
            "string",
            "revenue or capital (revenue when blank).",
            constraints=(("enum", ["revenue", "capital"]),),
        ),
        Field(
            "estimate",
            "boolean",
            "true for a top-down estimate, false for an actual figure (false when blank).",
        ),
        Field("service", "string", "The agency's own service or cost-centre name."),
        Field("supplier", "string", "Who was paid, as the ledger names them."),
        Field("payment_date", "date", "The date of payment, for transaction ledgers."),
        Field("expense_type", "string", "The ledger's expense type or account."),
    ),
    primary_key=(),
)

RESOURCES: tuple[Resource, ...] = (PLACE, POPULATIONS, AGENCIES, APPORTIONMENT, RETURNS)

# Columns of the line store that are the product's own, not the package's.
PROVENANCE_COLUMNS = ("amount_pence", "source_file", "source_sheet", "source_row")
