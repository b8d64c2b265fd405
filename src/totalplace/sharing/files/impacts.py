"""Budget impact files (docs/formats/impact.md) for `totalplace case impact`."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from totalplace.core.jsonfile import read_json, validation_problems
from totalplace.sharing.rules.impact import Change, Link


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ChangeSpec(_Strict):
    agency: str = Field(min_length=1)
    from_year: int = Field(alias="from", ge=0)
    to_year: int = Field(alias="to", ge=0)
    saving: float = Field(description="Pounds a year the agency saves by the change.")

    @model_validator(mode="after")
    def in_order(self) -> ChangeSpec:
        if self.to_year < self.from_year:
            raise ValueError('"to" must not be before "from"')
        return self


class LinkSpec(_Strict):
    to: str = Field(min_length=1)
    per_pound: float = Field(ge=0, le=100)
    lag: int = Field(default=0, ge=0, le=100)
    duration: int = Field(default=1, ge=1, le=100)
    evidence: str = ""


class ImpactSpec(_Strict):
    name: str = Field(min_length=1)
    first_year: str
    discount_rate: float | None = Field(default=None, ge=0, le=1)
    change: ChangeSpec
    links: list[LinkSpec] = Field(default_factory=list)


def read_impact(path: Path) -> tuple[ImpactSpec, Change, list[Link]]:
    try:
        spec = ImpactSpec.model_validate(read_json(path, "bad-case"))
    except ValidationError as exc:
        raise validation_problems(exc, path.name, "bad-case") from exc
    c = spec.change
    change = Change(c.agency, c.from_year, c.to_year, c.saving)
    links = [Link(c.agency, k.to, k.per_pound, k.lag, k.duration, k.evidence) for k in spec.links]
    return spec, change, links
