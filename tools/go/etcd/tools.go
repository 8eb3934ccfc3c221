//go:build tools

// Package tools pins etcd, the storage of the local dev/test clusters' API servers (see
// scripts/tools/15-etcd.sh). Kubernetes 1.37 uses the etcd 3.7 client, and etcd 3.4 (Debian's) lacks the
// watch-progress support the API server's watch cache needs.
package tools

import _ "go.etcd.io/etcd/server/v3"
