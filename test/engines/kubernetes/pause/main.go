// Command pause is the sandbox process of every pod in the engine-test cluster (containerd's
// sandbox_image): it holds the pod's namespaces open and reaps orphans, as registry.k8s.io/pause
// does, which cannot be pulled here (no registry is reachable).
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		// Reap every exited child (pause is PID 1 of the pod when the PID namespace is shared).
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
