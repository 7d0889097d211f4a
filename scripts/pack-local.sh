#!/usr/bin/env bash
# Packs this package (npm pack runs the build through prepack) to dist/secure-llm-blueprint.tgz, the fixed
# path the examples install it from.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT
npm pack --silent --pack-destination "$dest" > /dev/null
mkdir -p dist
mv "$dest"/secure-llm-blueprint-*.tgz dist/secure-llm-blueprint.tgz
echo "dist/secure-llm-blueprint.tgz"
