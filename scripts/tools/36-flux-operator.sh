# flux-operator CLI v0.58.1: the oracle of the ResourceSet expansion tests (`flux-operator build resourceset`).
go_tool flux-operator flux-operator github.com/controlplaneio-fluxcd/flux-operator/cmd/cli flux-operator
