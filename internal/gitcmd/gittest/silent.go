package gittest

import (
	"net"
	"sync"
	"testing"
)

// SilentRemote listens on 127.0.0.1, accepts connections and never answers
// (a remote that hangs, for timeout tests); it returns the URL of a
// repository there. The listener and the connections it held open are closed
// when the test ends.
func SilentRemote(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read nor written
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String() + "/registry.git"
}
