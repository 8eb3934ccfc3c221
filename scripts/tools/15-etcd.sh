# etcd v3.7.3 (tools/go/etcd), the storage of the local dev/test clusters (src/dev). Kubernetes 1.37 is
# built against the etcd 3.7 client; Debian's etcd 3.4.23 lacks the watch-progress support (3.4.31+/3.5.13+)
# the API server's watch cache and streaming lists need, so it is not used.
go_tool etcd etcd go.etcd.io/etcd/server/v3 etcd
