package server

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// A DNS-rebinding page (a site whose name the attacker points at
// 127.0.0.1 once the page is loaded) talks to the server from the
// reader's browser as a same-origin page of the attacker's name: the only
// trace of it is the Host header. So the server answers only the hosts it
// knows to be itself — the loopback names and the address it listens on,
// with its port, and the hosts the operator allowed — and refuses every
// other one with 421 Misdirected Request, before any route runs.

// loopbackNames are the names of this machine that every server answers
// to (with its port).
var loopbackNames = []string{"localhost", "127.0.0.1", "::1"}

// allowedHost is an entry of Options.AllowedHosts: a host name or address
// and, when given, the one port it is allowed with ("" allows any, as
// behind a proxy that sends the public name without the server's port).
type allowedHost struct {
	name, port string
}

// parseAllowedHosts reads Options.AllowedHosts: "NAME", "NAME:PORT",
// "ADDRESS", "[IPV6]" or "[IPV6]:PORT".
func parseAllowedHosts(hosts []string) ([]allowedHost, error) {
	var out []allowedHost
	for _, h := range hosts {
		var name, port string
		var err error
		if strings.ContainsAny(h, "/\\@?#*% ") {
			err = fmt.Errorf("give a host name or address, with or without a port, and no scheme or path")
		} else if name, port, err = splitHostPort(h); err == nil && (name == "" || strings.ContainsAny(name, "[]")) {
			err = fmt.Errorf("give a host name or address, with or without a port")
		}
		if err != nil {
			return nil, fmt.Errorf("invalid allowed host %q: %v", h, err)
		}
		out = append(out, allowedHost{name: name, port: port})
	}
	return out, nil
}

// splitHostPort splits a Host header (or an allowed host) into its
// lower-case name, without brackets or a trailing dot, and its port (""
// when absent).
func splitHostPort(h string) (name, port string, err error) {
	hasPort := false
	switch {
	case strings.HasPrefix(h, "["):
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", "", fmt.Errorf("unclosed [")
		}
		rest := h[end+1:]
		if rest != "" && !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("unexpected %q after ]", rest)
		}
		h, port, hasPort = h[1:end], strings.TrimPrefix(rest, ":"), rest != ""
	case strings.Count(h, ":") == 1:
		h, port, hasPort = strings.Cut(h, ":")
	}
	// More than one ":" without brackets: a bare IPv6 address, no port.
	if hasPort {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '+' {
			return "", "", fmt.Errorf("invalid port %q", port)
		}
	}
	return strings.ToLower(strings.TrimSuffix(h, ".")), port, nil
}

// hostAllowed reports whether the server answers to the request's Host:
// an allowed host (with its port, if it has one), or a loopback name, the
// address the connection came in on or the one the server listens on,
// with the server's port.
func (s *Server) hostAllowed(r *http.Request) bool {
	name, port, err := splitHostPort(r.Host)
	if err != nil || name == "" {
		return false
	}
	if port == "" {
		port = "80"
		if r.TLS != nil {
			port = "443"
		}
	}
	for _, a := range s.allowedHosts {
		if a.name == name && (a.port == "" || a.port == port) {
			return true
		}
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if local == nil {
		return false
	}
	localHost, localPort, err := net.SplitHostPort(local.String())
	if err != nil || port != localPort {
		return false
	}
	for _, n := range loopbackNames {
		if name == n {
			return true
		}
	}
	if ip := net.ParseIP(name); ip != nil {
		if ip.Equal(net.ParseIP(localHost)) {
			return true
		}
		if bound := s.boundHost.Load(); bound != nil {
			// The listening address, as the start-up line shows it;
			// 0.0.0.0 and [::] both mean "every address of this machine".
			b := net.ParseIP(*bound)
			if ip.Equal(b) || ip.IsUnspecified() && b != nil && b.IsUnspecified() {
				return true
			}
		}
	}
	return false
}

// misdirected is the refusal of a request for a host the server does not
// answer to.
func misdirected(host string) error {
	if len(host) > 200 {
		host = host[:200] + "…"
	}
	return &refusal{status: http.StatusMisdirectedRequest, code: codeHostNotAllowed,
		msg: fmt.Sprintf("this server does not answer to the host %q: reach it as localhost, 127.0.0.1 or the address it listens on, or start it with that host among its allowed hosts", host)}
}
