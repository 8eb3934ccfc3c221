#!/usr/bin/env bash
# Shared helpers for scripts/tools/*.sh.
#   FERRY_CACHE       cache root (default ~/.cache/ferry)
#   FERRY_TOOLS_ONLY  space-separated tool names: build/register only these (others keep their entries)
FERRY_CACHE="${FERRY_CACHE:-$HOME/.cache/ferry}"
mkdir -p "$FERRY_CACHE/bin" "$FERRY_CACHE/tools.d"
# Name -> path of every tool registered by this run; direct assignments are registered by tools_write_index.
declare -gA FERRY_TOOLS=()

tools_wanted() {
  [ -z "${FERRY_TOOLS_ONLY:-}" ] && return 0
  case " $FERRY_TOOLS_ONLY " in *" $1 "*) return 0 ;; esac
  return 1
}

# go_tool NAME MODDIR PKG [BIN]
#   Builds Go package PKG (e.g. github.com/fluxcd/flux2/v2/cmd/flux) using the module in tools/go/MODDIR
#   (its go.mod pins the versions) into $FERRY_CACHE/bin/NAME/<key>/BIN, where <key> is a hash of that
#   go.mod and go.sum, and registers NAME in the tool index. Skips the build when the binary exists.
#   A lock per tool makes concurrent runs wait for one build instead of compiling the same thing twice.
go_tool() {
  local name="$1" moddir="tools/go/$2" pkg="$3" bin="${4:-$1}"
  tools_wanted "$name" || return 0
  local key
  key=$(cat "$moddir/go.mod" "$moddir/go.sum" 2>/dev/null | sha256sum | cut -c1-16)
  local out="$FERRY_CACHE/bin/$name/$key/$bin"
  (
    flock 9
    if [ ! -x "$out" ]; then
      echo "tools: building $name ($pkg) ..." >&2
      local start=$SECONDS
      mkdir -p "$(dirname "$out")"
      (cd "$moddir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp.$$" "$pkg")
      mv "$out.tmp.$$" "$out"
      echo "tools: built $name in $((SECONDS - start))s" >&2
    fi
  ) 9>"$FERRY_CACHE/bin/.$name.lock"
  tools_register "$name" "$out"
}

# system_tool NAME PATH: registers a binary that is installed another way (e.g. from a Debian package).
system_tool() {
  tools_wanted "$1" || return 0
  tools_register "$1" "$2"
}

tools_register() {
  FERRY_TOOLS[$1]="$2"
  printf '%s' "$2" >"$FERRY_CACHE/tools.d/$1.tmp.$$"
  mv "$FERRY_CACHE/tools.d/$1.tmp.$$" "$FERRY_CACHE/tools.d/$1"
}

# Writes tools.json from tools.d/ (one file per tool holding its path), atomically.
tools_write_index() {
  local tmp="$FERRY_CACHE/tools.json.tmp.$$" first=1 f name
  for name in "${!FERRY_TOOLS[@]}"; do tools_register "$name" "${FERRY_TOOLS[$name]}"; done
  {
    echo "{"
    for f in "$FERRY_CACHE"/tools.d/*; do
      case "$f" in *.tmp.*) continue ;; esac
      [ -f "$f" ] || continue
      [ $first -eq 1 ] || echo ","
      first=0
      printf '  "%s": "%s"' "$(basename "$f")" "$(cat "$f")"
    done
    echo ""
    echo "}"
  } >"$tmp"
  mv "$tmp" "$FERRY_CACHE/tools.json"
  echo "tools: index at $FERRY_CACHE/tools.json" >&2
}
