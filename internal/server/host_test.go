package server

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHostAllowedBound: the address Serve listens on is a host the
// server answers to, even a wildcard one (the start-up line shows it).
func TestHostAllowedBound(t *testing.T) {
	t.Parallel()
	s := &Server{}
	bound := "0.0.0.0"
	s.boundHost.Store(&bound)
	local := &net.TCPAddr{IP: net.ParseIP("192.168.1.5"), Port: 8080}
	for host, want := range map[string]bool{
		"0.0.0.0:8080":     true,
		"[::]:8080":        true, // what a dual-stack 0.0.0.0 shows
		"192.168.1.5:8080": true, // the address the connection came in on
		"localhost:8080":   true,
		"0.0.0.0:8081":     false,
		"192.168.1.6:8080": false,
		"box.lan:8080":     false,
		"":                 false,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
		if got := s.hostAllowed(r); got != want {
			t.Errorf("Host %q: allowed %v, want %v", host, got, want)
		}
	}
	hosts, err := parseAllowedHosts([]string{"box.lan"})
	if err != nil {
		t.Fatal(err)
	}
	s.allowedHosts = hosts
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "box.lan:8080"
	if !s.hostAllowed(r) { // an allowed host needs no connection address
		t.Error("an allowed host was refused")
	}
}
