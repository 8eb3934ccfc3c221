# Standalone kustomize CLI (the version kustomize-controller pins): the render tests run it as a subprocess.
go_tool kustomize kustomize sigs.k8s.io/kustomize/kustomize/v5
