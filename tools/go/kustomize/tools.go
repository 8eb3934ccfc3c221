//go:build tools

// Package tools pins the standalone kustomize CLI that Ferry's render tests run as a peer.
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
