//go:build unix

package config

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A .gto that is not a regular file (a FIFO, or a link to a device) is
// refused without opening it, which could block.
func TestConfigFileFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, ".gto"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(dir, env(nil)); done <- err }()
	select {
	case err := <-done:
		assertErr(t, err, ".gto is not a regular file")
	case <-time.After(5 * time.Second):
		t.Fatal("Load blocks on a FIFO")
	}
}
