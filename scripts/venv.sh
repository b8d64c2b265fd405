# Sourced by scripts/run and scripts/test: make .venv and install the project into it.
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "totalplace needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $("$PYTHON" --version)" >&2
  "$PYTHON" -m venv .venv
fi
echo "Installing totalplace and its dependencies into .venv" >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRAS:-}"
source scripts/assets.sh
