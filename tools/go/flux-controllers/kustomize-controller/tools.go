//go:build tools

// Package tools pins kustomize-controller v1.9.5 (the version flux v2.9.5 installs), run as a process by the
// MTTP benchmark (bench/mttp.ts) beside Ferry's agent. Bench-only: scripts/tools.sh builds it only on demand.
package tools

import _ "github.com/fluxcd/kustomize-controller"
