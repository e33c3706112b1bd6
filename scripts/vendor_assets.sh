#!/usr/bin/env bash
# Refresh the front-end files the portal serves itself (no CDN: it must work on a closed
# network). Run by a developer when upgrading; installs and CI never need npm, because the
# built files and their LICENSE files are committed under static/vendor/.
#
#   ./scripts/vendor_assets.sh            # the versions pinned below
#   BOOTSTRAP_VERSION=5.3.9 ./scripts/vendor_assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BOOTSTRAP_VERSION="${BOOTSTRAP_VERSION:-5.3.9}"
DESIGN_TOKENS_VERSION="${DESIGN_TOKENS_VERSION:-1.1.9}"

command -v npm >/dev/null || { echo "npm is needed to refresh vendored assets (not to run the portal)." >&2; exit 2; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch NAME VERSION DIR: unpack the published package into $WORK/DIR
    (cd "$WORK" && npm pack --silent "$1@$2" >/dev/null)
    mkdir -p "$WORK/$3"
    tar -xzf "$WORK"/*.tgz -C "$WORK/$3" --strip-components=1
    rm -f "$WORK"/*.tgz
}

fetch bootstrap "$BOOTSTRAP_VERSION" bootstrap
fetch @digital-go-jp/design-tokens "$DESIGN_TOKENS_VERSION" design-tokens

BS=static/vendor/bootstrap
rm -rf "$BS" && mkdir -p "$BS/css" "$BS/js"
# The source maps ship too: the hashed static storage rewrites sourceMappingURL references
# and fails on a missing target.
cp "$WORK"/bootstrap/dist/css/bootstrap.min.css{,.map} "$BS/css/"
cp "$WORK"/bootstrap/dist/js/bootstrap.bundle.min.js{,.map} "$BS/js/"
cp "$WORK"/bootstrap/LICENSE "$BS/LICENSE"
echo "bootstrap $BOOTSTRAP_VERSION" > "$BS/VERSION"

DT=static/vendor/digital-go-jp-design-tokens
rm -rf "$DT" && mkdir -p "$DT"
cp "$WORK"/design-tokens/dist/tokens.css "$DT/tokens.css"
cp "$WORK"/design-tokens/LICENSE "$DT/LICENSE"
echo "@digital-go-jp/design-tokens $DESIGN_TOKENS_VERSION" > "$DT/VERSION"

echo "Vendored: bootstrap $BOOTSTRAP_VERSION, @digital-go-jp/design-tokens $DESIGN_TOKENS_VERSION"
