//go:build tools

// Package tools pins flux-operator's CLI, the oracle of Ferry's ResourceSet expansion tests.
package tools

import _ "github.com/controlplaneio-fluxcd/flux-operator/cmd/cli"
