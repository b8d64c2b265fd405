"""Documents and pictures for people: charts, swim-lanes, reports."""
