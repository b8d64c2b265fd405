"""The learning history's routes on a record (a history by name), tested in test_web.py."""

RECORD_ROUTES = {
    "/places/{place_id}/history/{name}/sections",
    "/places/{place_id}/history/{name}/sections/{number}",
    "/places/{place_id}/history/{name}/sections/{number}/move",
    "/places/{place_id}/history/{name}/sections/{number}/remove",
}
