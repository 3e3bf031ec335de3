//go:build tools

// Package pin keeps kubevirt.io/api in go.mod through `go mod tidy`; nothing builds it.
package pin

import _ "kubevirt.io/api/core/v1"
