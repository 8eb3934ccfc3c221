module ferry.dev/tools/tmploracle

// revision 3: scripts/tools/lib.sh keys the build on go.mod and go.sum only, so bump this line
// whenever main.go changes.

go 1.24.0

require (
	github.com/Masterminds/semver/v3 v3.3.0
	github.com/go-task/slim-sprig/v3 v3.0.0
	github.com/gosimple/slug v1.15.0
	sigs.k8s.io/yaml v1.6.0
)

require (
	github.com/gosimple/unidecode v1.0.1 // indirect
	go.yaml.in/yaml/v2 v2.4.2 // indirect
)
