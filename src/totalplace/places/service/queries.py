"""The place's read queries, for other capabilities' services and the web shell: they run
inside the caller's transaction (a Session), so a count or an invitation reads the place
as it stands in the same unit of work. The only door into places/tables from outside."""

from totalplace.places.files.schemas import RETURNS as RETURNS
from totalplace.places.tables import Agency as Agency
from totalplace.places.tables import Apportionment as Apportionment
from totalplace.places.tables import Place as Place
from totalplace.places.tables import Population as Population
from totalplace.places.tables import agencies as agencies
from totalplace.places.tables import apportionments as apportionments
from totalplace.places.tables import get_place as get_place
from totalplace.places.tables import list_places as list_places
from totalplace.places.tables import places_with_agency as places_with_agency
from totalplace.places.tables import populations as populations
from totalplace.places.tables import shares as shares
