#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a Kubernetes cluster:
#   1. docker-compose.yml against the Compose schema (`docker-compose config`, default services
#      and the "demo" profile);
#   2. the kustomizations under deploy/k8s render (where kubectl or kustomize is installed),
#      the KEDA ScaledObject of deploy/k8s/autoscale included;
#   3. deploy/prometheus.yml and the PromQL of every Grafana query parse (where promtool is
#      installed: Debian package prometheus);
#   4. the JUnit checks in streams-app/src/test/java/io/fusionstream/deploy: every Kubernetes
#      document parses and has its required fields, selectors, ports, volumes and the state
#      directory agree, compose starts in order, Prometheus scrapes /metrics, and every Grafana
#      query reads a metric the application publishes.
#
# Needs: docker-compose (Debian: apt-get install -y docker-compose), python3, and for step 4 a
# JDK 17 and Maven. Optional: kubectl or kustomize; promtool (Debian: apt-get install -y
# --no-install-recommends prometheus).
#
# Usage: deploy/validate.sh [--skip-java]
#   --skip-java   skip step 4 (for a CI script that runs the unit tests anyway)
# Environment: MAVEN_FLAGS  extra Maven flags for step 4, e.g. "-o" to stay offline.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

skip_java=false
for arg in "$@"; do
  case "$arg" in
    --skip-java) skip_java=true ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "validate.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }

step "docker-compose.yml"
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "docker-compose not found; on Debian: apt-get install -y docker-compose" >&2
  exit 1
fi
docker-compose --version
# `config` only reads the file: no Docker engine is needed. A variable without a default would
# print a warning here; the compose file gives every variable one but the required password.
# Grafana's admin password has no default (required): give every check a placeholder.
export GRAFANA_ADMIN_PASSWORD="${GRAFANA_ADMIN_PASSWORD:-validate-only}"
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile demo config -q
services="$(docker-compose -f docker-compose.yml --profile demo config --services | sort | tr '\n' ' ')"
echo "services: $services"
for required in kafka schema-registry topics fusionstream prometheus grafana producer; do
  case " $services " in
    *" $required "*) ;;
    *) echo "docker-compose.yml lacks the service $required" >&2; exit 1 ;;
  esac
done

step "Kubernetes kustomizations"
render=""
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  render="kubectl kustomize"
elif command -v kustomize >/dev/null 2>&1; then
  render="kustomize build"
fi
if [ -n "$render" ]; then
  for dir in deploy/k8s deploy/k8s/gpu deploy/k8s/autoscale; do
    count="$($render "$dir" | grep -c '^kind:')"
    echo "$dir renders $count objects ($render)"
    [ "$count" -ge 5 ] || { echo "$dir renders too few objects" >&2; exit 1; }
  done
else
  echo "neither kubectl nor kustomize installed: rendering skipped (the JUnit checks still run)"
fi

step "Prometheus config and dashboard queries"
if command -v promtool >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
  promtool check config deploy/prometheus.yml
  # Every Grafana query becomes a recording rule, so that promtool parses it as PromQL. The
  # Grafana variables are replaced by values of the same kind.
  rules="$(mktemp --suffix=.yml)"
  trap 'rm -f "$rules"' EXIT
  python3 - deploy/grafana/dashboards/fusionstream.json >"$rules" <<'PY'
import json
import sys

with open(sys.argv[1]) as f:
    dashboard = json.load(f)
print("groups:\n  - name: grafana-dashboard\n    rules:")
count = 0
for panel in dashboard["panels"]:
    for target in panel.get("targets", []):
        expr = target["expr"].replace("$__rate_interval", "1m").replace("$instance", ".*")
        count += 1
        print(f"      - record: dashboard:query{count}\n        expr: {json.dumps(expr)}")
if count == 0:
    sys.exit("no queries in " + sys.argv[1])
PY
  promtool check rules "$rules"
else
  echo "promtool (Debian: prometheus) or python3 not installed: PromQL syntax check skipped"
fi

if [ "$skip_java" = true ]; then
  step "JUnit deployment checks skipped (--skip-java)"
else
  step "JUnit deployment checks"
  # shellcheck disable=SC2086  # MAVEN_FLAGS is a list of flags
  mvn -B -q -Dstyle.color=never ${MAVEN_FLAGS:-} -pl streams-app -am test \
    -Dtest='io.fusionstream.deploy.*Test' -Dsurefire.failIfNoSpecifiedTests=false
  reports=(streams-app/target/surefire-reports/TEST-io.fusionstream.deploy.*.xml)
  tests=0; failures=0
  for report in "${reports[@]}"; do
    header="$(grep -m1 -o '<testsuite [^>]*>' "$report")"
    t="$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$header")"
    f="$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$header")"
    e="$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$header")"
    tests=$((tests + t)); failures=$((failures + f + e))
  done
  echo "deploy: $((tests - failures)) passed, $failures failed"
fi

step "deployment files valid"
