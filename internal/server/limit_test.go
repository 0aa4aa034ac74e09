package server

import (
	"fmt"
	"testing"
	"time"
)

func TestAttemptLimiter(t *testing.T) {
	t.Parallel()
	now := time.Unix(1640998800, 0)
	l := newAttemptLimiter(2, 10*time.Second, 3)
	if w := l.wait("a", now); w != 0 {
		t.Fatalf("a client never seen waits %v", w)
	}
	l.fail("a", now)
	l.fail("a", now)
	if w := l.wait("a", now); w != 10*time.Second {
		t.Errorf("after 2 failures: wait %v, want 10s", w)
	}
	if w := l.wait("a", now.Add(4*time.Second)); w != 6*time.Second {
		t.Errorf("4 s later: wait %v, want 6s", w)
	}
	if w := l.wait("a", now.Add(10*time.Second)); w != 0 {
		t.Errorf("10 s later: wait %v", w)
	}
	// A failure while waiting does not make the bucket owe more than one.
	l.fail("a", now.Add(10*time.Second))
	l.fail("a", now.Add(10*time.Second))
	if w := l.wait("a", now.Add(10*time.Second)); w != 10*time.Second {
		t.Errorf("failures past the limit: wait %v, want 10s", w)
	}
	// A full bucket is forgotten.
	if w := l.wait("a", now.Add(time.Hour)); w != 0 || l.tracked() != 0 {
		t.Errorf("an hour later: wait %v, %d clients tracked", w, l.tracked())
	}

	// The table is bounded: the client whose last failure is the oldest
	// goes first.
	for i := range 5 {
		c := fmt.Sprintf("c%d", i)
		l.fail(c, now.Add(time.Duration(i)*time.Millisecond))
		l.fail(c, now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := l.tracked(); n != 3 {
		t.Errorf("%d clients tracked, want 3", n)
	}
	at := now.Add(time.Second)
	for i, want := range []bool{false, false, true, true, true} {
		if waits := l.wait(fmt.Sprintf("c%d", i), at) > 0; waits != want {
			t.Errorf("c%d waits: %v, want %v", i, waits, want)
		}
	}
	// A failure moves a client to the front: c2 stays, c3 goes.
	l.fail("c2", at)
	l.fail("c5", at)
	if l.wait("c2", at) == 0 || l.wait("c3", at) != 0 || l.wait("c4", at) == 0 {
		t.Error("the eviction did not follow the last failures")
	}
}

func TestClientOf(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"192.0.2.1:5000":              "192.0.2.1",
		"[::ffff:192.0.2.1]:5000":     "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:5000": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:80":   "2001:db8:1:2::/64",
		"[fe80::1%eth0]:80":           "fe80::/64",
		"not an address":              "not an address",
	} {
		if got := clientOf(addr); got != want {
			t.Errorf("clientOf(%q) = %q, want %q", addr, got, want)
		}
	}
}
