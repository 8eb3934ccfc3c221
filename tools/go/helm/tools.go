//go:build tools

// Package tools pins the helm v3 CLI, the oracle of Ferry's chart rendering and release storage tests.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
