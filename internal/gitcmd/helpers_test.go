package gitcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// newTestRepo creates a sealed-off repository and opens it with gitcmd.
func newTestRepo(t testing.TB) (*gittest.Repo, *Repo) {
	t.Helper()
	g := gittest.NewRepo(t)
	return g, openTest(t, g, g.Dir)
}

// openTest opens path with g's environment, failing the test on error.
func openTest(t testing.TB, g *gittest.Repo, path string) *Repo {
	t.Helper()
	r, err := OpenWith(context.Background(), path, Options{Env: g.Env()})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return r
}

// openBatch opens a Batch closed at the end of the test.
func openBatch(t testing.TB, r *Repo) *Batch {
	t.Helper()
	b, err := r.OpenBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Batch.Close: %v", err)
		}
	})
	return b
}

// importTags creates, in an empty repository, one commit on main and n
// annotated tags on it with a single `git fast-import` (so that large
// registries are quick to build). Tag i is "m<i%100>@v0.0.<i>", tagged at
// gittest.Epoch + i seconds with message "message <i>".
func importTags(t testing.TB, g *gittest.Repo, n int) {
	t.Helper()
	var b strings.Builder
	who := fmt.Sprintf("%s <%s>", gittest.Name, gittest.Email)
	epoch := gittest.Epoch.Unix()
	fmt.Fprintf(&b, "commit refs/heads/main\nmark :1\ncommitter %s %d +0000\ndata 5\ninit\n\n", who, epoch)
	for i := range n {
		msg := fmt.Sprintf("message %d\n", i)
		fmt.Fprintf(&b, "tag %s\nfrom :1\ntagger %s %d +0000\ndata %d\n%s\n", importedTag(i), who, epoch+int64(i), len(msg), msg)
	}
	g.GitInput(b.String(), "fast-import", "--quiet")
}

func importedTag(i int) string { return fmt.Sprintf("m%d@v0.0.%d", i%100, i) }

// mustErrIs fails the test unless err matches target.
func mustErrIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want one matching %v", err, target)
	}
}
