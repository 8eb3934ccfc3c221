# cosign: the interop peer for src/sign (key-pair and keyless signatures, legacy .sig tags and bundles).
go_tool cosign cosign github.com/sigstore/cosign/v3/cmd/cosign
