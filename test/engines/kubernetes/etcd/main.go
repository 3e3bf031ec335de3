// Command etcd is the etcd server of the engine-test cluster, built from the published
// go.etcd.io/etcd/server/v3 module (Debian's etcd-server is 3.4, older than current
// Kubernetes releases are tested with).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
