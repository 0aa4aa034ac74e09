package gitcmd

import (
	"testing"
	"time"
)

func TestRefStamp(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	c := g.Commit("first", nil)
	s := r.NewRefStamp()
	later := time.Now().Add(time.Hour) // every change is settled
	s.now = func() time.Time { return later }
	step := func(what string, want bool) {
		t.Helper()
		if got := s.Changed(); got != want {
			t.Errorf("%s: Changed() = %v, want %v", what, got, want)
		}
	}
	step("first call", true)
	step("nothing", false)
	g.Tag("m@v1.0.0", c, "r")
	step("loose tag", true)
	step("nothing after it", false)
	g.Tag("dir/m@v1.0.0", c, "r")
	step("loose tag in a folder", true)
	g.Tag("dir/m@v1.0.1", c, "r")
	step("second tag in the folder", true)
	g.Git("pack-refs", "--all")
	step("packed", true)
	step("nothing after packing", false)
	g.Git("tag", "-d", "m@v1.0.0")
	step("packed tag deleted", true)
	g.Git("commit", "--allow-empty", "-q", "-m", "second")
	step("a commit on a branch", false)
	s.now = time.Now
	g.Tag("n@v1.0.0", c, "r")
	s.Changed()
	step("a change less than Settle ago", true)
}
