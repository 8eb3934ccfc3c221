# kwok v0.8.0: keeps the fake Nodes of the local dev/test clusters Ready and moves their Pods to Running.
go_tool kwok kwok sigs.k8s.io/kwok/cmd/kwok
