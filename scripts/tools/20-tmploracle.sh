#!/usr/bin/env bash
# tmploracle: Go's text/template with slim-sprig (and the ResourceSet/Helm extras), the reference the
# template conformance tests in src/template compare Ferry's engine against. The build is keyed on
# tools/go/tmploracle/go.mod and go.sum: bump the revision line in go.mod when main.go changes.
go_tool tmploracle tmploracle .
