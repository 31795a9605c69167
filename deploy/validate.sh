#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a Kubernetes cluster:
#   1. docker-compose.yml against the Compose schema (`docker-compose config`, default services
#      and the "demo" profile);
#   2. the kustomizations under deploy/k8s render (where kubectl or kustomize is installed);
#   3. the JUnit checks in streams-app/src/test/java/io/fusionstream/deploy: every Kubernetes
#      document parses and has its required fields, selectors, ports, volumes and the state
#      directory agree, compose starts in order, Prometheus scrapes /metrics, and every Grafana
#      query reads a metric the application publishes.
#
# Needs: docker-compose (Debian: apt-get install -y docker-compose), and for step 3 a JDK 17 and
# Maven. Optional: kubectl or kustomize.
#
# Usage: deploy/validate.sh [--skip-java]
#   --skip-java   skip step 3 (for a CI script that runs the unit tests anyway)
# Environment: MAVEN_FLAGS  extra Maven flags for step 3, e.g. "-o" to stay offline.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

skip_java=false
for arg in "$@"; do
  case "$arg" in
    --skip-java) skip_java=true ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
# print a warning here; the compose file gives every variable one.
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
  for dir in deploy/k8s deploy/k8s/gpu; do
    count="$($render "$dir" | grep -c '^kind:')"
    echo "$dir renders $count objects ($render)"
    [ "$count" -ge 5 ] || { echo "$dir renders too few objects" >&2; exit 1; }
  done
else
  echo "neither kubectl nor kustomize installed: rendering skipped (the JUnit checks still run)"
fi

if [ "$skip_java" = true ]; then
  step "JUnit deployment checks skipped (--skip-java)"
else
  step "JUnit deployment checks"
  # shellcheck disable=SC2086  # MAVEN_FLAGS is a list of flags
  mvn -B -q ${MAVEN_FLAGS:-} -pl streams-app -am test \
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
