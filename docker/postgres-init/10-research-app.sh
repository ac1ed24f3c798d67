#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume (docker-entrypoint-initdb.d).
# Creates the role the worker connects as — no superuser, no CREATEDB, no CREATEROLE — and the results database it
# owns. Temporal keeps the superuser for its own databases.
set -eu
: "${RESEARCH_DB_USER:?}" "${RESEARCH_DB_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_user="$RESEARCH_DB_USER" -v app_password="$RESEARCH_DB_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';
CREATE DATABASE research OWNER :"app_user";
REVOKE ALL ON DATABASE research FROM PUBLIC;
SQL
