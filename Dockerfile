# Front Door: one image for web, worker and beat, which connect as the application's
# database role (DATABASE_URL). Migrations run as the tables' owner instead, followed by
# grant_app_role, every time (docker-compose.yml's migrate service; README, "Deploying"):
#   docker run --rm -e DATABASE_URL=postgres://frontdoor_owner:...@db:5432/frontdoor IMAGE \
#     sh -c "python manage.py migrate --noinput && python manage.py grant_app_role frontdoor_app"
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend ./frontend
RUN npm run -s build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# The account gunicorn, the worker and beat run as: unprivileged, with a numeric uid and
# gid (USER below) that an orchestrator's runAsNonRoot can check. It owns nothing of the
# code or the collected static files, only /app/var itself, where beat keeps its schedule.
RUN groupadd --gid 10001 frontdoor && useradd --create-home --uid 10001 --gid 10001 frontdoor
COPY pyproject.toml requirements.lock README.md ./
RUN pip install --no-cache-dir -c requirements.lock -e . && pip check
COPY --from=assets /app/node_modules/govuk-frontend ./node_modules/govuk-frontend
COPY --from=assets /app/node_modules/@ministryofjustice/frontend ./node_modules/@ministryofjustice/frontend
COPY --from=assets /app/node_modules/htmx.org/dist ./node_modules/htmx.org/dist
COPY --from=assets /app/static_build ./static_build
COPY . .
# collectstatic needs settings that load; these build-time values are never used to serve.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-secret-key-not-used-at-run-time-0123456789abc \
    FRONTDOOR_PASSWORD_PEPPER=build-only-pepper-not-used-at-run-time-0123456789 \
    FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktbmV2ZXItdXNlZC10by1ydW4 \
    DJANGO_ALLOWED_HOSTS=build FRONTDOOR_WEBAUTHN_RP_ID=build \
    DATABASE_URL=postgres://build@localhost/build \
    CELERY_BROKER_URL=redis://localhost:6379/0 FRONTDOOR_CACHE_URL=redis://localhost:6379/1 \
    FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback \
    FRONTDOOR_VAR_DIR=/app/var \
    python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/var && chown 10001:10001 /app/var
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "frontdoor.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
