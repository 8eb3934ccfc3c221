//go:build tools

// Package tools pins the cosign CLI that Ferry's interop tests run against.
package tools

import _ "github.com/sigstore/cosign/v3/cmd/cosign"
