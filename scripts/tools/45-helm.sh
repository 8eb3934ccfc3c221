# The real helm v3 CLI: the oracle of src/helm's rendering (`helm template`) and of the release storage
# the HelmRelease reconciler writes (`helm list`, `helm history`, `helm get values`). Pinned in tools/go/helm/go.mod.
go_tool helm helm helm.sh/helm/v3/cmd/helm
