package server

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// The limits of wrong-token attempts, per client: a token bucket that
// holds attemptBurst attempts and gains one every attemptEvery. A client
// (an IPv4 address, or an IPv6 /64 network) that used them up gets 429
// until the bucket has an attempt again; others are not affected.
const (
	attemptBurst = 5
	attemptEvery = 10 * time.Second
	// maxClients bounds the clients tracked: past it, the one whose last
	// wrong attempt is the oldest is forgotten.
	maxClients = 4096
)

// attemptLimiter counts the wrong-token attempts of each client. Only
// failures are recorded: a client that never failed costs nothing, and a
// correct token is never slowed down by another client's failures.
type attemptLimiter struct {
	burst float64
	every time.Duration
	max   int

	mu      sync.Mutex
	clients map[string]*list.Element // of *bucket
	order   *list.List               // most recent failure first
}

type bucket struct {
	client string
	tokens float64   // attempts left at time at
	at     time.Time // of the last failure
}

func newAttemptLimiter(burst int, every time.Duration, maxClients int) *attemptLimiter {
	return &attemptLimiter{burst: float64(burst), every: every, max: maxClients,
		clients: map[string]*list.Element{}, order: list.New()}
}

// left returns the attempts b holds at now.
func (l *attemptLimiter) left(b *bucket, now time.Time) float64 {
	return min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
}

// wait returns how long client must wait before its next attempt: 0 when
// it may try now.
func (l *attemptLimiter) wait(client string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.clients[client]
	if !ok {
		return 0
	}
	b := e.Value.(*bucket)
	left := l.left(b, now)
	if left >= l.burst {
		// Back to full: the same as never seen.
		l.order.Remove(e)
		delete(l.clients, client)
		return 0
	}
	if left >= 1 {
		return 0
	}
	return time.Duration((1 - left) * float64(l.every))
}

// fail records a wrong attempt of client at now.
func (l *attemptLimiter) fail(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.clients[client]; ok {
		b := e.Value.(*bucket)
		b.tokens, b.at = max(0, l.left(b, now)-1), now
		l.order.MoveToFront(e)
		return
	}
	for l.order.Len() >= l.max {
		oldest := l.order.Back()
		delete(l.clients, oldest.Value.(*bucket).client)
		l.order.Remove(oldest)
	}
	l.clients[client] = l.order.PushFront(&bucket{client: client, tokens: l.burst - 1, at: now})
}

// tracked returns the number of clients tracked (for tests).
func (l *attemptLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientOf is the client a request's remote address counts as: its IP
// address, or the /64 network of an IPv6 address (one end site's block,
// which a client can switch addresses inside of at will).
func clientOf(remoteAddr string) string {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	addr := ap.Addr().Unmap()
	if addr.Is6() {
		return netip.PrefixFrom(addr.WithZone(""), 64).Masked().String()
	}
	return addr.String()
}
