# kwok v0.8.0 (tools/go/kwok): keeps the fake Nodes of the local dev/test clusters Ready and moves their
# Pods to Running.
go_tool kwok kwok sigs.k8s.io/kwok/cmd/kwok
# The kwok binary has no built-in stages (kwokctl embeds them). kwok-stages is one config file holding
# kwok's own default "fast" stages, taken from the pinned module (node-initialize,
# node-heartbeat-with-lease, pod-ready, pod-complete, pod-delete); src/dev passes it with --config.
if tools_wanted kwok || tools_wanted kwok-stages; then
  kwok_key=$(cat tools/go/kwok/go.mod tools/go/kwok/go.sum | sha256sum | cut -c1-16)
  kwok_stages="$FERRY_CACHE/bin/kwok-stages/$kwok_key/stages.yaml"
  if [ ! -s "$kwok_stages" ]; then
    kwok_src=$(cd tools/go/kwok && go mod download sigs.k8s.io/kwok && go list -m -f "{{.Dir}}" sigs.k8s.io/kwok)
    mkdir -p "$(dirname "$kwok_stages")"
    for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
      pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
      echo "---"
      cat "$kwok_src/kustomize/stage/$f.yaml"
    done >"$kwok_stages.tmp.$$"
    mv "$kwok_stages.tmp.$$" "$kwok_stages"
  fi
  system_tool kwok-stages "$kwok_stages"
fi
