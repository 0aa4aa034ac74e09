package cli

import (
	"runtime/debug"
	"testing"
)

// The object caches are mapped only by the commands that end by themselves.
func TestRunsUntilStopped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"show", "--json"}, false},
		{[]string{"history", "-r", "repo"}, false},
		{[]string{"events"}, false},
		{[]string{"events", "--since", "x"}, false},
		{[]string{"serve", "--addr", "127.0.0.1:0"}, true},
		{[]string{"-v", "watch", "gto-watch.yaml"}, true},
		{[]string{"events", "--follow"}, true},
		{[]string{"events", "--follow=true"}, true},
		{[]string{"events", "-f"}, true},
		{[]string{"events", "-qf"}, true},
		{[]string{"show", "serve"}, true}, // an artifact called serve: the safe side
	} {
		if got := runsUntilStopped(tt.args); got != tt.want {
			t.Errorf("runsUntilStopped(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestHeadroomNarrowsForALargeHeap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ live, want int64 }{
		{0, 0},
		{80 << 20, 20 << 20},
		{256<<20 - 4, (256<<20 - 4) / 4},
		{256 << 20, 32 << 20},
		{400 << 20, 50 << 20},
	} {
		if got := headroom(tc.live); got != tc.want {
			t.Errorf("headroom(%d) = %d, want %d", tc.live, got, tc.want)
		}
	}
}

// The soft memory limit follows the live heap up; a server's limit at rest
// holds until the live heap itself outgrows it.
func TestNextLimit(t *testing.T) {
	t.Parallel()
	const mb = 1 << 20
	for _, tt := range []struct {
		name              string
		limit, rest, live int64
		want              int64
	}{
		{"a command well under its limit", 80 * mb, 0, 40 * mb, 80 * mb},
		{"a command at four fifths", 80 * mb, 0, 64 * mb, 80 * mb},
		{"a command past four fifths", 80 * mb, 0, 72 * mb, 90 * mb},          // a quarter below 256 MB
		{"a command building a large state", 400 * mb, 0, 600 * mb, 675 * mb}, // an eighth above 256 MB
		{"a server at rest, a check's transient", 558 * mb, 558 * mb, 530 * mb, 558 * mb},
		{"a server at rest, the heap exactly at it", 558 * mb, 558 * mb, 558 * mb, 558 * mb},
		{"a server at rest outgrown by a rebuild", 558 * mb, 558 * mb, 600 * mb, 675 * mb},
		{"a server following a rebuild up", 750 * mb, 558 * mb, 700 * mb, 700*mb + 700*mb/8},
		{"a server following a rebuild, under four fifths", 750 * mb, 558 * mb, 590 * mb, 750 * mb},
		{"never down after a collection", 750 * mb, 558 * mb, 300 * mb, 750 * mb},
	} {
		if got := nextLimit(tt.limit, tt.rest, tt.live); got != tt.want {
			t.Errorf("%s: nextLimit(%d, %d, %d) = %d MB, want %d MB", tt.name, tt.limit/mb, tt.rest/mb, tt.live/mb, got/mb, tt.want/mb)
		}
	}
}

func TestRestingLimit(t *testing.T) {
	t.Parallel()
	const mb = 1 << 20
	for _, tt := range []struct{ base, live, want int64 }{
		{80 * mb, 10 * mb, 80 * mb},   // a small registry: the base
		{80 * mb, 60 * mb, 90 * mb},   // half as much again
		{80 * mb, 372 * mb, 558 * mb}, // 500,000 tags
	} {
		if got := restingLimit(tt.base, tt.live); got != tt.want {
			t.Errorf("restingLimit(%d MB, %d MB) = %d MB, want %d MB", tt.base/mb, tt.live/mb, got/mb, tt.want/mb)
		}
	}
}

// The expected size of a read only raises the limit.
func TestExpectTagsRaisesOnly(t *testing.T) {
	// not parallel: debug.SetMemoryLimit is the process's
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	m := &memoryLimit{base: 80 << 20, limit: 80 << 20}
	m.expectTags(1000) // 660 KB: under the limit
	if m.limit != 80<<20 {
		t.Errorf("limit after 1,000 tags = %d, want the base", m.limit)
	}
	m.expectTags(500_000)
	if want := int64(500_000 * expectedBytesPerTag); m.limit != want || debug.SetMemoryLimit(-1) != want {
		t.Errorf("limit after 500,000 tags = %d (runtime %d), want %d", m.limit, debug.SetMemoryLimit(-1), want)
	}
}

// Only reads of a local repository go without the signal handler.
func TestReadsLocally(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"history", "--json"}, true},
		{[]string{"show", "model@latest", "-r", "."}, true},
		{[]string{"check-ref", "model@v1.0.0", "--json"}, true},
		{[]string{"show", "-r", "https://example.com/r.git"}, false},
		{[]string{"history", "--repo=file:///srv/r.git"}, false},
		{[]string{"stages", "-rssh://git@example.com/r"}, false},
		{[]string{"describe", "m", "--repo", "git@example.com:org/r.git"}, false},
		{[]string{"-r", ".", "show"}, false}, // flags before the command: not parsed
		{[]string{"register", "m"}, false},
		{[]string{"get", "m", "-o", "out"}, false},
		{nil, false},
	} {
		if got := readsLocally(tt.args); got != tt.want {
			t.Errorf("readsLocally(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
