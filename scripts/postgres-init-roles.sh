#!/usr/bin/env bash
# Front Door's two database roles, made once by PostgreSQL's superuser (README,
# "Deploying"): the owner of the database and its tables, which runs `migrate` and then
# `grant_app_role`, and the application's role, which the web server, the worker and beat
# connect as and which may not change the audit trail.
#
# docker-compose mounts this into PostgreSQL's /docker-entrypoint-initdb.d/, which runs it
# once, when the data volume is empty, with POSTGRES_USER and POSTGRES_DB set. The owner's
# password comes from FRONTDOOR_DB_OWNER_PASSWORD_FILE (a compose secret: the app's
# containers never see it) or FRONTDOOR_DB_OWNER_PASSWORD; the app's from
# FRONTDOOR_DB_APP_PASSWORD. FRONTDOOR_DB_OWNER and FRONTDOOR_DB_APP name the roles.
# Not `set -u`: the image's entrypoint may source this rather than run it.
fd_owner="${FRONTDOOR_DB_OWNER:-frontdoor_owner}"
fd_app="${FRONTDOOR_DB_APP:-frontdoor_app}"
fd_owner_password="${FRONTDOOR_DB_OWNER_PASSWORD:-}"
if [ -z "$fd_owner_password" ] && [ -n "${FRONTDOOR_DB_OWNER_PASSWORD_FILE:-}" ]; then
  fd_owner_password="$(cat "$FRONTDOOR_DB_OWNER_PASSWORD_FILE")"
fi
: "${fd_owner_password:?set FRONTDOOR_DB_OWNER_PASSWORD_FILE or FRONTDOOR_DB_OWNER_PASSWORD}"
: "${FRONTDOOR_DB_APP_PASSWORD:?set FRONTDOOR_DB_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" \
  --dbname "${POSTGRES_DB:-frontdoor}" -v db="${POSTGRES_DB:-frontdoor}" \
  -v owner="$fd_owner" -v owner_password="$fd_owner_password" \
  -v app="$fd_app" -v app_password="$FRONTDOOR_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
-- The owner owns the database and so (PostgreSQL 15 and later) its public schema: it
-- creates the tables. The app's role gets only what grant_app_role gives it.
ALTER DATABASE :"db" OWNER TO :"owner";
SQL
