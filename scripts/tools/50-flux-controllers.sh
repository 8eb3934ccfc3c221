# Flux's source-controller and kustomize-controller v1.9.5 (the versions flux v2.9.5 installs), run as
# processes by the MTTP benchmark (bench/mttp.ts) to compare with Ferry's agent on the same workload.
# Pinned in tools/go/flux-controllers/<name>/go.mod. flux-controllers-crds is one YAML file holding the CRDs
# of both controllers, taken from the pinned modules' config/crd/bases.
#
# Bench-only: a plain `scripts/tools.sh` (npm test, CI) skips them, because they take minutes to compile.
# They build when FERRY_TOOLS_ONLY names them or FERRY_BENCH_TOOLS=1 is set; the bench does the former:
#   FERRY_TOOLS_ONLY="source-controller kustomize-controller flux-controllers-crds" bash scripts/tools.sh
flux_controllers_asked() {
  [ "${FERRY_BENCH_TOOLS:-}" = 1 ] && return 0
  case " ${FERRY_TOOLS_ONLY:-} " in *" $1 "*) return 0 ;; esac
  return 1
}
for ctrl in source-controller kustomize-controller; do
  if flux_controllers_asked "$ctrl"; then
    go_tool "$ctrl" "flux-controllers/$ctrl" "github.com/fluxcd/$ctrl"
  fi
done
if flux_controllers_asked flux-controllers-crds; then
  fc_key=$(cat tools/go/flux-controllers/*/go.mod tools/go/flux-controllers/*/go.sum | sha256sum | cut -c1-16)
  fc_crds="$FERRY_CACHE/bin/flux-controllers-crds/$fc_key/crds.yaml"
  if [ ! -s "$fc_crds" ]; then
    mkdir -p "$(dirname "$fc_crds")"
    for ctrl in source-controller kustomize-controller; do
      fc_src=$(cd "tools/go/flux-controllers/$ctrl" && go mod download "github.com/fluxcd/$ctrl" &&
        go list -m -f "{{.Dir}}" "github.com/fluxcd/$ctrl")
      for f in "$fc_src"/config/crd/bases/*.yaml; do
        echo "---"
        cat "$f"
      done
    done >"$fc_crds.tmp.$$"
    mv "$fc_crds.tmp.$$" "$fc_crds"
  fi
  system_tool flux-controllers-crds "$fc_crds"
fi
