//go:build tools

// Package tools pins kwok, which keeps the fake nodes and pods of Ferry's local clusters Ready (see
// scripts/tools/20-kwok.sh).
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
