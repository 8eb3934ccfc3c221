# The real flux CLI (fluxcd/flux2), the interop peer for `ferry push/pull artifact` tests and the publish
# benchmark. Pinned in tools/go/flux/go.mod.
#
# flux2's cmd/flux embeds install manifests (`//go:embed manifests/*.yaml`) that its Makefile generates and
# the Go module zip does not contain, so a plain `go build` of the module fails. We stage a writable copy of
# the pinned flux2 module with one placeholder manifest and point the build at it through an alternate
# go.mod (-modfile) carrying a `replace`. The artifact commands Ferry tests never read those manifests.
flux_stage() {
  local moddir=tools/go/flux ver src stage gen
  ver=$(sed -n 's/^require github.com\/fluxcd\/flux2\/v2 \(v[^ ]*\)$/\1/p' "$moddir/go.mod")
  stage="$FERRY_CACHE/src/flux2-$ver"
  gen="$FERRY_CACHE/src/flux-modfile-$ver"
  if [ ! -f "$stage/cmd/flux/manifests/placeholder.yaml" ]; then
    src=$(cd "$moddir" && go mod download -json "github.com/fluxcd/flux2/v2@$ver" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    rm -rf "$stage.tmp" && mkdir -p "$(dirname "$stage")"
    cp -r "$src" "$stage.tmp" && chmod -R u+w "$stage.tmp"
    mkdir -p "$stage.tmp/cmd/flux/manifests"
    cp "$moddir/placeholder.yaml" "$stage.tmp/cmd/flux/manifests/placeholder.yaml"
    rm -rf "$stage" && mv "$stage.tmp" "$stage"
  fi
  mkdir -p "$gen"
  { cat "$moddir/go.mod"; echo "replace github.com/fluxcd/flux2/v2 => $stage"; } >"$gen/go.mod"
  cp "$moddir/go.sum" "$gen/go.sum"
  FLUX_MODFILE="$gen/go.mod"
}
if tools_wanted flux; then
  flux_stage
  GOFLAGS="-buildvcs=false -modfile=$FLUX_MODFILE" go_tool flux flux github.com/fluxcd/flux2/v2/cmd/flux
fi
