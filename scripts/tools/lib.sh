#!/usr/bin/env bash
# Shared helpers for scripts/tools/*.sh.
FERRY_CACHE="${FERRY_CACHE:-$HOME/.cache/ferry}"
mkdir -p "$FERRY_CACHE/bin"
declare -gA FERRY_TOOLS=()

# go_tool NAME MODDIR PKG [BIN]
#   Builds Go package PKG (e.g. github.com/fluxcd/flux2/v2/cmd/flux) using the module in tools/go/MODDIR
#   (its go.mod pins the versions) into $FERRY_CACHE/bin/NAME/<key>/BIN, where <key> is a hash of that
#   go.mod and go.sum, and registers NAME in the tool index. Skips the build when the binary exists.
go_tool() {
  local name="$1" moddir="tools/go/$2" pkg="$3" bin="${4:-$1}"
  local key
  key=$(cat "$moddir/go.mod" "$moddir/go.sum" 2>/dev/null | sha256sum | cut -c1-16)
  local out="$FERRY_CACHE/bin/$name/$key/$bin"
  if [ ! -x "$out" ]; then
    echo "tools: building $name ($pkg) ..." >&2
    local start=$SECONDS
    (cd "$moddir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp" "$pkg")
    mv "$out.tmp" "$out"
    echo "tools: built $name in $((SECONDS - start))s" >&2
  fi
  FERRY_TOOLS[$name]="$out"
}

# system_tool NAME PATH: registers a binary that is installed another way (e.g. from a Debian package).
system_tool() {
  FERRY_TOOLS[$1]="$2"
}

tools_write_index() {
  local tmp="$FERRY_CACHE/tools.json.tmp" first=1
  {
    echo "{"
    for name in $(printf '%s\n' "${!FERRY_TOOLS[@]}" | sort); do
      [ $first -eq 1 ] || echo ","
      first=0
      printf '  "%s": "%s"' "$name" "${FERRY_TOOLS[$name]}"
    done
    echo ""
    echo "}"
  } >"$tmp"
  mv "$tmp" "$FERRY_CACHE/tools.json"
  echo "tools: index at $FERRY_CACHE/tools.json" >&2
}
