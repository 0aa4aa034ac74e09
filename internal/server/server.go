// Package server is `gto serve` and `gto site`: the registry as
// server-rendered HTML pages and as the JSON documents of the CLI's --json,
// over HTTP or written as static files.
//
// The server is a thin layer over the registry package. It keeps the views
// built from one registry.Snapshot in memory and rebuilds them only when
// the registry's fingerprint (its refs and configuration) changes, which a
// background loop checks every Options.Refresh; for a remote registry each
// check is an Open, which fetches into the cached mirror. Requests only read
// the current views, so they never wait for git.
//
// Pages are html/template templates (every string from the registry is
// escaped) with their CSS and JavaScript embedded in the binary; the
// JavaScript only shows times in the reader's zone, reloads a page when the
// registry changed, and filters rows of static pages. Writes (register,
// assign, deprecate) are off unless Options.AllowWrite, and then need
// Options.Token; they go through the same registry calls as the CLI.
package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gto-dev/gto/registry"
	"github.com/gto-dev/gto/registryset"
)

// Options configure a Server.
type Options struct {
	// Open opens the registry (the CLI's -r/--repo, cache flags and
	// environment). Every refresh and every write opens it and closes it
	// again, so a remote registry's mirror is locked only while in use.
	Open func(ctx context.Context) (*registry.Registry, error)
	// Source names the registry for people (the -r value).
	Source string
	// Remote reports that the registry is a URL: writes are pushed to it.
	Remote bool
	// Refresh is how often the registry is checked for changes (a fetch
	// for a remote registry). Zero or less: never (tests call Refresh).
	Refresh time.Duration
	// AllowWrite enables register, assign and deprecate; Token must then
	// be set (see CheckToken), and every write must carry it.
	AllowWrite bool
	Token      string
	// AllowedHosts are the hosts (Host headers) the server answers to
	// besides localhost, 127.0.0.1 and [::1] and the address it listens
	// on, which it answers to with its own port: "NAME" (with any port,
	// as behind a proxy), "NAME:PORT", "ADDRESS", "[IPV6]:PORT". Every
	// other host gets 421 Misdirected Request, so that a page of another
	// site whose name resolves to this machine (DNS rebinding) reads
	// nothing.
	AllowedHosts []string
	// Log receives one line per rebuild and per failed refresh; nil: silent.
	Log io.Writer
	// Now is the clock (default time.Now): of the views' build times and
	// of the limit on wrong-token attempts.
	Now func() time.Time
	// Set, when not nil, serves a registry set instead of one registry
	// (Open, Source and Remote are then unused; see set.go): each Refresh
	// checks the members that are due. Writes are not offered.
	Set *registryset.Set
	// ReadSetLater, with Set: New reads no member, and Serve reads them
	// all in the background as it starts, each one listed as "reading…"
	// until its first read ends; a set of many, or remote, repositories is
	// then served at once instead of after the slowest member.
	ReadSetLater bool
	// Rested, when not nil, is called after each refresh of one registry,
	// once what the read left is collected and given back to the system:
	// the heap then holds the views (and what requests hold), nothing
	// more. gto serve lowers its soft memory limit there.
	Rested func()
}

// Server serves one registry. Create it with New.
type Server struct {
	opts    Options
	cur     atomic.Pointer[views]
	lastErr atomic.Pointer[string] // the last refresh's error, "" when it worked
	// mu serialises everything that opens the registry: refreshes and
	// writes (a remote registry's mirror takes a lock per Open).
	mu      sync.Mutex
	pages   *pageTemplates
	assets  *assets
	handler http.Handler
	salt    string // what else than the views a response depends on, for ETags

	allowedHosts []allowedHost
	boundHost    atomic.Pointer[string] // the host Serve listens on
	attempts     *attemptLimiter        // wrong-token attempts per client
	events       eventHub               // the event stream's state (events.go)

	set      *setState // Options.Set's members (set.go)
	linkRoot string    // where the pages are, when not "/" (a member of a set)
}

// MinTokenLength is the least number of characters of a write token.
const MinTokenLength = 16

// The refusals of CheckToken (and New, when writes are allowed).
var (
	// ErrNoToken: writes are allowed without a token.
	ErrNoToken = errors.New("writes need a token: a secret that every write must carry")
	// ErrShortToken: the token has fewer than MinTokenLength characters.
	ErrShortToken = fmt.Errorf("the write token is too short: a token has at least %d characters", MinTokenLength)
	// ErrTokenSpace: the token holds a space or a control character,
	// which an Authorization header cannot carry as it is.
	ErrTokenSpace = errors.New("the write token contains a space or a control character, which a request header cannot carry")
)

// CheckToken returns ErrNoToken, ErrShortToken or ErrTokenSpace when
// token cannot be the secret of writes, and nil otherwise.
func CheckToken(token string) error {
	switch {
	case token == "":
		return ErrNoToken
	case utf8.RuneCountInString(token) < MinTokenLength:
		return ErrShortToken
	case strings.IndexFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return ErrTokenSpace
	}
	return nil
}

// New reads the registry once (so that a bad repository fails here, not
// on the first request) and returns the server. With AllowWrite, a token
// that CheckToken refuses fails it, as does a malformed allowed host.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.AllowWrite {
		if err := CheckToken(opts.Token); err != nil {
			return nil, err
		}
	}
	hosts, err := parseAllowedHosts(opts.AllowedHosts)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, pages: pages, assets: loadAssets(), allowedHosts: hosts,
		attempts: newAttemptLimiter(attemptBurst, attemptEvery, maxClients)}
	salt := sha256.Sum256(fmt.Appendf(nil, "%v\x00%s", opts.AllowWrite, s.assets.version))
	s.salt = hex.EncodeToString(salt[:4])
	if opts.Set != nil {
		if err := s.initSet(); err != nil {
			return nil, err
		}
	}
	refresh := s.Refresh
	if s.set != nil && opts.ReadSetLater {
		refresh = s.syncSet // the page, with every member pending
	}
	if _, err := refresh(ctx); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler: the pages, the assets and the
// API.
func (s *Server) Handler() http.Handler { return s.handler }

// Fingerprint returns the fingerprint of the views being served.
func (s *Server) Fingerprint() string { return s.cur.Load().fp }

// Refresh checks the registry's fingerprint and rebuilds the views when it
// changed. It reports whether it rebuilt them. On error the previous views
// stay in use (and pages say that the last refresh failed).
func (s *Server) Refresh(ctx context.Context) (bool, error) {
	if s.set != nil {
		return s.refreshSet(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed, err := s.refreshLocked(ctx)
	// A read takes several times the memory of the views (the object
	// cache, git's output, the tags before the state), and even a check
	// that finds nothing changed lists every ref (100 MB at 500,000
	// tags): garbage once the registry is closed. Give it back to the
	// system now rather than let the heap grow by it between collections
	// (a full collection: about 1% of a core at 50,000 tags with the
	// check every 2 s).
	debug.FreeOSMemory()
	if s.opts.Rested != nil {
		s.opts.Rested()
	}
	if err != nil && ctx.Err() != nil {
		return false, err // stopping: not a failure of the registry
	}
	msg := ""
	if err != nil {
		msg = err.Error()
		s.logf("refresh failed: %v", err)
	}
	s.lastErr.Store(&msg)
	return changed, err
}

func (s *Server) refreshLocked(ctx context.Context) (bool, error) {
	start := time.Now()
	reg, err := s.opts.Open(ctx)
	if err != nil {
		return false, err
	}
	defer reg.Close()
	known := ""
	if cur := s.cur.Load(); cur != nil {
		known = cur.fp
	}
	snap, fp, err := reg.SnapshotIfChanged(ctx, known)
	if err != nil || snap == nil {
		return false, err
	}
	snap.State.Compact() // held until the next change: only what it needs
	v := newViews(fp, snap, s.opts.Now())
	s.cur.Store(v)
	s.logf("read %d artifacts, %d tags in %v (fingerprint %s)", len(v.rows), v.tags, time.Since(start).Round(time.Millisecond), fp)
	return true, nil
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, "gto serve: "+format+"\n", args...)
	}
}

// refreshLoop checks the registry every Refresh until ctx is done.
func (s *Server) refreshLoop(ctx context.Context) {
	if s.opts.Refresh <= 0 {
		return // tests call Refresh; writes refresh the views themselves
	}
	t := time.NewTicker(s.opts.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.Refresh(ctx)
	}
}

// Timeouts of the HTTP server: a slow or idle client cannot hold a
// connection for long, and the largest document (the journal of a large
// registry, tens of megabytes) still has time to go out.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 10 * time.Second
)

// Serve serves HTTP on ln and refreshes the views in the background until
// ctx is done (the address of ln is one the server answers to, see
// Options.AllowedHosts); it then stops accepting connections, lets the requests in
// flight finish (up to 10 s) and returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		s.boundHost.Store(&host)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	srv.RegisterOnShutdown(s.events.close) // event streams never go idle
	loopCtx, stopLoop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.refreshLoop(loopCtx) })
	if s.set != nil && s.opts.ReadSetLater {
		wg.Go(func() { s.readSetNow(loopCtx) })
	}
	defer func() { stopLoop(); wg.Wait() }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
