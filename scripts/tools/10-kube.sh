# Kubernetes control plane v1.37.2 (kube-apiserver, kube-controller-manager, kube-scheduler) for the local
# dev/test clusters of src/dev. One module (tools/go/kube) pins k8s.io/kubernetes and its staging modules,
# so the three builds share one download and one build cache.
go_tool kube-apiserver kube k8s.io/kubernetes/cmd/kube-apiserver
go_tool kube-controller-manager kube k8s.io/kubernetes/cmd/kube-controller-manager
go_tool kube-scheduler kube k8s.io/kubernetes/cmd/kube-scheduler
