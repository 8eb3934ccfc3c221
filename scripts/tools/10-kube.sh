# Kubernetes control plane v1.37.2 (kube-apiserver, kube-controller-manager, kube-scheduler) for the local
# dev/test clusters of src/dev. One module (tools/go/kube) pins k8s.io/kubernetes and its staging modules
# (v0.37.2), so the three builds share one download and one build cache. Its cmd/ wrappers are upstream's
# mains plus internal/kubeversion, which stamps v1.37.2 into the version a release build sets with
# -ldflags (a plain go build reports v0.0.0-master). The cache key is the go.mod/go.sum hash: when changing
# only the wrappers, touch go.mod (e.g. its comment) so the binaries are rebuilt.
go_tool kube-apiserver kube ./cmd/kube-apiserver
go_tool kube-controller-manager kube ./cmd/kube-controller-manager
go_tool kube-scheduler kube ./cmd/kube-scheduler
