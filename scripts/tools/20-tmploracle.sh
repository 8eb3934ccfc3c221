#!/usr/bin/env bash
# tmploracle: Go's text/template with slim-sprig (and the ResourceSet/Helm extras), the reference the
# template conformance tests in src/template compare Ferry's engine against.
go_tool tmploracle tmploracle .
