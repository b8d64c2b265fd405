"""Signing in, accounts and a place's people, as one router."""

from fastapi import APIRouter

from totalplace.people.web import auth, people

router = APIRouter()
for _part in (auth, people):
    router.include_router(_part.router)
