//go:build !unix

package gitstore

import "context"

// lockFile is a no-op where advisory file locks are not available: two gto
// processes must then not use the same cache at once.
func lockFile(ctx context.Context, path string) (func(), error) {
	return func() {}, nil
}
