package registry

import (
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// A read of every tag tells Options.ExpectTags how many there are before
// reading them; a read of one artifact's tags does not.
func TestExpectTags(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	c := g.Commit("first", nil)
	for _, name := range []string{"m@v1.0.0", "m#prod#1", "n@v0.1.0"} {
		g.Tag(name, c, "tag")
	}
	g.Git("pack-refs", "--all")
	var told []int
	opts := sealedAt(g, g.Dir)
	opts.ExpectTags = func(n int) { told = append(told, n) }
	reg, err := Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.ShowRegistry(t.Context(), ShowOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || told[0] < 3 {
		t.Fatalf("a read of every tag told %v, want once, at least 3", told)
	}
	if _, err := reg.ShowArtifact(t.Context(), ShowOptions{Name: "m"}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 {
		t.Errorf("a read of one artifact told %v", told[1:])
	}
}
