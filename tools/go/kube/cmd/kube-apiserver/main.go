// Command kube-apiserver is upstream's kube-apiserver with the release version stamped in (see
// internal/kubeversion).
package main

import (
	"os"
	_ "time/tzdata" // CronJob time zones

	_ "ferry.local/tools/kube/internal/kubeversion"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
