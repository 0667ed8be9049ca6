# syntax=docker/dockerfile:1
# One image for the web (gunicorn), the Celery worker and beat; docker-compose.yml picks
# the command of each. Settings come from the environment (see .env.example).
# The base is an argument so that the compose test can build on a local image with the same
# contract (a `python` 3.11 with `pip` on PATH; docker/README.md); production uses the default.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin portal

# Dependencies first, so a code change reuses this layer: exactly the files of
# requirements.lock, each checked against its hash (`make lock` writes the lock from
# pyproject.toml; `make lint` fails when the two disagree). `pip check`: nothing is missing.
COPY requirements.lock ./
RUN pip install --no-deps --require-hashes -r requirements.lock \
    && pip check

COPY . .
# Static files are collected into the image and served by whitenoise with hashed names.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-used-at-runtime STATIC_MANIFEST=1 \
    python manage.py collectstatic --noinput --verbosity 0

USER portal
EXPOSE 8000
CMD ["python", "-m", "gunicorn", "governance.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--error-logfile", "-"]
