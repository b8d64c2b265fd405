// Starts Swagger UI on /api/docs from a file, not an inline script, so the site's
// strict Content-Security-Policy (script-src 'self') holds on this page too.
// "Try it out" writes need the session's CSRF token: it is fetched once and sent.
let csrfToken = null;
fetch("/api/session", { credentials: "same-origin" })
  .then((answer) => (answer.ok ? answer.json() : null))
  .then((session) => {
    csrfToken = session ? session.csrf_token : null;
  });

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  requestInterceptor: (request) => {
    if (csrfToken && request.method !== "GET") {
      request.headers["X-CSRF-Token"] = csrfToken;
    }
    return request;
  },
});
