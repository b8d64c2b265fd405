"""The count's pages and its JSON API, as one router."""

from fastapi import APIRouter

from totalplace.count.web import api, count, publications, returns

router = APIRouter()
for _part in (returns, count, publications, api):
    router.include_router(_part.router)
