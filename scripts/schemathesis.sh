#!/usr/bin/env bash
# Tests a live `werk serve` against its own OpenAPI description with schemathesis: no answer
# may be a server error, and every answer must have a documented status, content type and
# body shape. Exits non-zero on any finding.
#
# The server gets a fresh data dir holding an application made from a git repository
# created here, a finished build and the deploy chained after it, a run waiting for an
# approval, a variable and an organization, so that besides made-up names and ids
# schemathesis also requests real ones and checks real answers. Environment:
#   CARGO_TARGET_DIR          where the built `werk` is (default: target/ in the repository)
#   SCHEMATHESIS_VENV         the Python venv for schemathesis (default: beside the target dir)
#   SCHEMATHESIS_MAX_EXAMPLES test cases per operation and phase (default: 50)
#   SCHEMATHESIS_SEED         the generation seed (default: a fixed one, so CI is repeatable)
set -euo pipefail
cd "$(dirname "$0")/.."

# A major version whose CLI and config format this script was written for.
SCHEMATHESIS_REQUIREMENT='schemathesis>=4.32,<5'
# How long schemathesis may take before the step fails.
SCHEMATHESIS_TIMEOUT_SECONDS=900

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
venv="${SCHEMATHESIS_VENV:-$(dirname "$target_dir")/schemathesis-venv}"
# Outside the repository: a venv of the default target dir's parent would land in it.
case "$venv" in "$PWD"/*) venv=/var/cache/werk/schemathesis-venv ;; esac
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-50}"
seed="${SCHEMATHESIS_SEED:-20240521}"

if ! "$venv/bin/python" -c 'import schemathesis' 2>/dev/null; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "$SCHEMATHESIS_REQUIREMENT"

cargo build --quiet -p werk
werk="$target_dir/debug/werk"

work="$(mktemp -d)"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
# shellcheck disable=SC2317 # Called by the EXIT trap.
cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT

# The repository of the application: a build pipeline that passes, and a deploy chained
# after it.
repo="$work/repo"
mkdir -p "$repo"
git -C "$repo" init -q -b master
cat >"$repo/wercker.yml" <<'YML'
build:
  steps:
    - script:
        name: greet
        code: echo hello from the fuzzed application
deploy:
  steps:
    - script:
        name: ship
        code: echo shipped
workflows:
  - name: release
    pipelines:
      - name: build
      - name: deploy
        requires: [build]
YML
git -C "$repo" add wercker.yml
git -C "$repo" -c user.name=schemathesis -c user.email=schemathesis@example.com \
    commit -q -m "first commit"

# Generated bodies name git URLs: only local repositories may be cloned, so that no made-up
# URL reaches the network. The server runs in the temp dir so relative paths stay there.
(
    cd "$work"
    GIT_ALLOW_PROTOCOL=file RUST_LOG=warn exec "$werk" serve \
        --data "$work/data" --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr"
) &
server_pid=$!

url=""
for _ in $(seq 1 300); do
    url="$(sed -n 's/^werk listening on \([^ ]*\).*/\1/p' "$work/stdout")"
    [ -n "$url" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "werk serve did not start:" >&2
    cat "$work/stdout" "$work/stderr" >&2
    exit 1
fi
token="$(grep -E '^\s*[0-9a-f]{64}\s*$' "$work/stdout" | tr -d ' ' || true)"
if [ -z "$token" ]; then
    echo "werk serve printed no admin token:" >&2
    cat "$work/stdout" >&2
    exit 1
fi

# One request to the API; prints the answer's body and fails on a status other than 200.
api() {
    local method="$1" path="$2" body="${3:-}"
    local args=(-sS -X "$method" -H "Authorization: Bearer $token" -o "$work/body" -w '%{http_code}')
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
    local status
    status="$(curl "${args[@]}" "$url$path")"
    if [ "$status" != 200 ]; then
        echo "$method $path answered $status: $(cat "$work/body")" >&2
        return 1
    fi
    cat "$work/body"
}
# A field of a JSON document on stdin, by a Python expression over `d`.
field() {
    "$venv/bin/python" -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

app_id="$(api POST /api/v3/applications "{\"name\": \"fuzzed\", \"gitUrl\": \"$repo\"}" | field 'd["id"]')"
pipeline_id="$(api GET /api/v3/applications/admin/fuzzed/pipelines |
    field '[p["id"] for p in d if p["name"] == "build"][0]')"
run_id="$(api POST /api/v3/runs "{\"pipelineId\": \"$pipeline_id\"}" | field 'd["id"]')"
# The build and the deploy chained after it, once both are finished.
deploy_id=""
for _ in $(seq 1 600); do
    deploy_id="$(api GET "/api/v3/runs?sourceRun=$run_id" |
        field 'next((r["id"] for r in d if r["status"] == "finished"), "")')"
    [ -n "$deploy_id" ] && break
    sleep 0.1
done
if [ -z "$deploy_id" ]; then
    echo "the run $run_id and the deploy after it did not finish" >&2
    api GET "/api/v3/runs/$run_id" >&2
    exit 1
fi
step_id="$(api GET "/api/v3/runs/$run_id/steps" | field 'd[-1]["id"]')"
workflow_id="$(api GET "/api/v3/workflows?applicationId=$app_id" | field 'd[0]["id"]')"
token_id="$(api GET /api/v3/tokens | field 'd[0]["id"]')"
user_id="$(api GET /api/v2/profile | field 'd["id"]')"
# A run waiting for an approval, a variable and an organization, for the operations on them.
gated_id="$(api POST /api/v3/pipelines \
    "{\"application\": \"$app_id\", \"pipelineName\": \"build\", \"name\": \"gated\", \"manualApproval\": true}" |
    field 'd["id"]')"
pending_id="$(api POST /api/v3/runs "{\"pipelineId\": \"$gated_id\"}" | field 'd["id"]')"
envvar_id="$(api POST /api/v3/envvars \
    "{\"scope\": \"application\", \"target\": \"$app_id\", \"key\": \"GREETING\", \"value\": \"hello\"}" |
    field 'd["id"]')"
api PUT /api/v2/organizations '{"username": "fuzzers"}' >/dev/null

# Real names and ids, mixed by schemathesis with made-up ones. The admin's token id is only
# offered to reads: a generated DELETE must not end the session.
cat >"$work/schemathesis.toml" <<TOML
[dictionaries]
owners = { values = ["admin"] }
apps = { values = ["fuzzed"] }
users = { values = ["admin"] }
app_ids = { values = ["$app_id"] }
pipeline_ids = { values = ["$pipeline_id", "$gated_id"] }
run_ids = { values = ["$run_id", "$deploy_id", "$pending_id"] }
repos = { values = ["$repo"] }
envvar_ids = { values = ["$envvar_id"] }
orgs = { values = ["fuzzers"] }
step_ids = { values = ["$step_id"] }
workflow_ids = { values = ["$workflow_id"] }
token_ids = { values = ["$token_id"] }
targets = { values = ["$app_id", "$pipeline_id", "$user_id"] }

[parameters]
"path.owner" = { dictionary = "owners", probability = 0.5 }
"path.name" = { dictionary = "apps", probability = 0.5 }
"path.user" = { dictionary = "users", probability = 0.5 }
"query.applicationId" = { dictionary = "app_ids", probability = 0.5 }
"query.pipelineId" = { dictionary = "pipeline_ids", probability = 0.5 }
"query.sourceRun" = { dictionary = "run_ids", probability = 0.3 }
"query.buildId" = { dictionary = "run_ids", probability = 0.3 }
"query.target" = { dictionary = "targets", probability = 0.5 }
"body.owner" = { dictionary = "owners", probability = 0.5 }
"body.gitUrl" = { dictionary = "repos", probability = 0.5 }
"body.applicationId" = { dictionary = "app_ids", probability = 0.5 }
"body.application" = { dictionary = "app_ids", probability = 0.5 }
"body.pipelineId" = { dictionary = "pipeline_ids", probability = 0.5 }
"body.runId" = { dictionary = "run_ids", probability = 0.5 }
"body.target" = { dictionary = "targets", probability = 0.5 }

[[operations]]
include-path-regex = "^/api/v3/(runs|builds|deploys)/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "run_ids", probability = 0.5 } }

[[operations]]
include-path-regex = "^/api/v3/runsteps/"
parameters = { "path.id" = { dictionary = "step_ids", probability = 0.5 } }

[[operations]]
include-path = "/api/v3/pipelines/{id}"
parameters = { "path.id" = { dictionary = "pipeline_ids", probability = 0.5 } }

[[operations]]
include-path = "/api/v3/workflows/{id}"
parameters = { "path.id" = { dictionary = "workflow_ids", probability = 0.5 } }

[[operations]]
include-path = "/api/v3/envvars/{id}"
parameters = { "path.id" = { dictionary = "envvar_ids", probability = 0.5 } }

[[operations]]
include-path-regex = "^/api/v2/organizations/\\\\{name\\\\}"
parameters = { "path.name" = { dictionary = "orgs", probability = 0.5 } }

[[operations]]
include-path = "/api/v3/tokens/{id}"
include-method = "GET"
parameters = { "path.id" = { dictionary = "token_ids", probability = 0.5 } }
TOML

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
started=$SECONDS
finding=0
# From the temp dir, where schemathesis and hypothesis leave their caches.
(cd "$work" && timeout --kill-after=30 "$SCHEMATHESIS_TIMEOUT_SECONDS" \
    "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$url/api/openapi.json" \
    --checks "$checks" \
    --header "Authorization: Bearer $token" \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 2 \
    --request-timeout 10 \
    --generation-database none \
    --no-color) || finding=$?
echo "schemathesis took $((SECONDS - started)) s"

stop_server
if grep -q "panicked" "$work/stderr"; then
    echo "werk serve panicked:" >&2
    cat "$work/stderr" >&2
    finding=1
fi
if [ "$finding" != 0 ]; then
    echo "schemathesis found problems (exit $finding); the server's log:" >&2
    tail -n 50 "$work/stderr" >&2
fi
exit "$finding"
