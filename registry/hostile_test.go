package registry

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
)

// A revision that does not resolve is quoted with escapes: a newline or a
// carriage return in it cannot break the one-line message or hide text.
func TestRefErrorQuotesTheRevision(t *testing.T) {
	notFound := &model.NotFoundError{Detail: model.Detail{Msg: "x", Err: store.ErrRefNotFound}}
	for _, rev := range []string{"HEAD\nx", "HEAD\r", "--output=pwned", "$(touch pwned)"} {
		err := refError(rev, notFound)
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, "was not found in the repository") {
			t.Errorf("refError(%q) = %q", rev, msg)
		}
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("refError(%q) is not ErrNotFound", rev)
		}
	}
}

func TestCheckArtifactPath(t *testing.T) {
	for _, tt := range []struct {
		path      string
		mustExist bool
		want      string // "" = accepted
	}{
		{"models/m.pkl", true, ""},
		{"./models/../models/m.pkl", true, ""},
		{"/mnt/models/m.pkl", false, ""},
		{"s3://bucket/../../m.pkl", false, ""},
		{"https://example.com/a?b=c", false, ""},
		// Without --must-exist a path outside the repository names an
		// external artifact, as in 0.2.4.
		{"../m.pkl", false, ""},
		{"a/../../m.pkl", false, ""},
		{"/etc/passwd", false, ""},
		{"../m.pkl", true, "leads outside the repository"},
		{"a/../../m.pkl", true, "leads outside the repository"},
		{`..\m.pkl`, true, "leads outside the repository"},
		{"..", true, "leads outside the repository"},
		{"/etc/passwd", true, "is absolute"},
		{"s3://bucket/m.pkl", true, ""}, // refused later: not committed
	} {
		err := checkArtifactPath(tt.path, tt.mustExist)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("checkArtifactPath(%q, %v) = %v, want nil", tt.path, tt.mustExist, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("checkArtifactPath(%q, %v) = %v, want %q", tt.path, tt.mustExist, err, tt.want)
		case err != nil && !errors.Is(err, ErrInvalid):
			t.Errorf("checkArtifactPath(%q, %v) = %v, not ErrInvalid", tt.path, tt.mustExist, err)
		}
	}
}

// An annotations file over annotations.MaxFileSize is refused from its size:
// reading it whole would cost its size in memory (a committed 1 GB file, 1 GB).
func TestLargeAnnotationsFileIsNotRead(t *testing.T) {
	g := gittest.NewRepo(t)
	huge := strings.Repeat("# a line of padding\n", 1<<20) // 20 MiB
	g.Commit("huge annotations", map[string]string{"artifacts.yaml": huge, "dvc.yaml": huge})
	r, err := Open(t.Context(), sealedAt(g, g.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	// At HEAD: an error, as when it was read.
	if n := allocated(func() {
		_, err = r.ShowRegistry(t.Context(), DefaultShowOptions())
	}); n > 4<<20 {
		t.Errorf("show allocated %d MiB for a file it refuses", n>>20)
	}
	if err == nil || !strings.Contains(err.Error(), "artifacts.yaml is too large (20971520 bytes, the limit is 4 MiB) (at commit") {
		t.Errorf("show: %v", err)
	}
	// In history (--all-commits): skipped, as a malformed old file is.
	opts := DefaultShowOptions()
	opts.AllCommits = true
	if n := allocated(func() {
		_, err = r.ShowRegistry(t.Context(), opts)
	}); n > 4<<20 || err != nil {
		t.Errorf("show --all-commits allocated %d MiB, error %v", n>>20, err)
	}
}

// The same for .gto read from HEAD in a bare repository.
func TestLargeConfigFileIsNotRead(t *testing.T) {
	g := gittest.NewRepo(t)
	g.Commit("huge config", map[string]string{".gto": strings.Repeat("# a line of padding\n", 1<<20)})
	bare := t.TempDir() + "/bare.git"
	g.Git("clone", "--quiet", "--bare", g.Dir, bare)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := Open(t.Context(), sealedAt(g, bare))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The configuration is read with the data it configures, by the first
	// command.
	_, err = r.Stages(t.Context(), StagesOptions{})
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("Stages allocated %d MiB for a file it refuses", n>>20)
	}
	if err == nil || err.Error() != ".gto is too large for a configuration file (over 1024 KiB)" {
		t.Errorf("Stages: %v", err)
	}
}
