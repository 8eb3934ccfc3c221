// Package kubeversion stamps the Kubernetes release into the component-base version variables, which a
// release build sets with -ldflags -X and a plain `go build` of the module leaves at v0.0.0-master. Without
// it the API server reports v0.0.0 on /version, which version checks of clients (flux, Helm charts'
// kubeVersion) refuse. Imported first by the command wrappers in ../../cmd.
package kubeversion

import (
	_ "unsafe" // for go:linkname

	"k8s.io/component-base/version"
)

// Release is the k8s.io/kubernetes version required in go.mod; keep them in step.
const Release = "v1.37.2"

//go:linkname gitVersion k8s.io/component-base/version.gitVersion
var gitVersion string

//go:linkname gitMajor k8s.io/component-base/version.gitMajor
var gitMajor string

//go:linkname gitMinor k8s.io/component-base/version.gitMinor
var gitMinor string

//go:linkname gitTreeState k8s.io/component-base/version.gitTreeState
var gitTreeState string

func init() {
	gitVersion, gitMajor, gitMinor, gitTreeState = Release, "1", "37", "clean"
	if err := version.SetDynamicVersion(Release); err != nil {
		panic(err)
	}
}
