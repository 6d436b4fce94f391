"""The facilitator's web dashboard, served by the hub: the live class, reports, notes, flags
and support plans, behind a teacher login.

:func:`kit.web.app.create_app` builds the Starlette app (other modules add their own routes
through its ``routes`` argument); :func:`kit.web.app.serve` runs it with uvicorn in the
caller's event loop."""
