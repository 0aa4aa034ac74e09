// Package watchtest is a webhook receiver for tests of gto watch: it
// checks the signature and headers of every delivery and counts
// deliveries per event id.
package watchtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/watch"
)

// Receiver is a webhook receiver on 127.0.0.1.
type Receiver struct {
	// URL is where it listens.
	URL string

	t      testing.TB
	secret string
	answer func(id string, n int) int
	mu     sync.Mutex
	counts map[string]int
	order  []string
	bad    int
	got    chan string
}

// New starts a receiver that expects bodies signed with secret; answer
// decides the status of the n-th delivery of event id (nil: 200 always).
// It stops at the end of the test.
func New(t testing.TB, secret string, answer func(id string, n int) int) *Receiver {
	rc := &Receiver{t: t, secret: secret, answer: answer, counts: map[string]int{}, got: make(chan string, 100000)}
	srv := httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL
	return rc
}

func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(watch.HeaderDelivery)
	var ev struct{ ID, Subject, SpecVersion string }
	json.Unmarshal(body, &ev)
	ok := watch.Verify(body, rc.secret, r.Header.Get(watch.HeaderSignature)) &&
		r.Header.Get("Content-Type") == watch.ContentType && ev.ID == id && ev.SpecVersion == "1.0"
	rc.mu.Lock()
	if !ok {
		rc.bad++
	}
	rc.counts[id]++
	n := rc.counts[id]
	rc.mu.Unlock()
	code := http.StatusOK
	if rc.answer != nil {
		code = rc.answer(id, n)
	}
	if code == http.StatusOK {
		rc.mu.Lock()
		rc.order = append(rc.order, ev.Subject)
		rc.mu.Unlock()
		rc.got <- ev.Subject
	}
	w.WriteHeader(code)
}

// Wait waits for n more deliveries answered 200 (at most timeout).
func (rc *Receiver) Wait(n int, timeout time.Duration) {
	rc.t.Helper()
	deadline := time.After(timeout)
	for i := 0; i < n; i++ {
		select {
		case <-rc.got:
		case <-deadline:
			rc.t.Fatalf("%d deliveries of %d after %s", i, n, timeout)
		}
	}
}

// WaitDistinct waits until n distinct events were delivered with 200.
func (rc *Receiver) WaitDistinct(n int, timeout time.Duration) {
	rc.t.Helper()
	deadline := time.After(timeout)
	seen := map[string]bool{}
	for len(seen) < n {
		select {
		case s := <-rc.got:
			seen[s] = true
		case <-deadline:
			rc.t.Fatalf("%d distinct deliveries of %d after %s", len(seen), n, timeout)
		}
	}
}

// Counts returns the number of deliveries (of any answer) per event id.
func (rc *Receiver) Counts() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string]int, len(rc.counts))
	for k, v := range rc.counts {
		out[k] = v
	}
	return out
}

// Order returns the subjects (tags) of the deliveries answered 200, in
// the order they came.
func (rc *Receiver) Order() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.order...)
}

// Bad returns the number of deliveries with a wrong signature or headers.
func (rc *Receiver) Bad() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bad
}
