package gitcmd

import (
	"context"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// BenchmarkListAndReadTags measures what every gto command does first: list
// the tags of a 10,000-tag registry and read all their tag objects (one
// for-each-ref, one cat-file --batch). "loose" has one file per ref, as
// right after the tags were created; "packed" is after `git pack-refs`
// (or gc), as in most long-lived repositories; "packed-legacy" uses the
// cat-file protocol for git before 2.36.
func BenchmarkListAndReadTags(b *testing.B) {
	const n = 10_000
	g := gittest.NewRepo(b)
	start := time.Now()
	importTags(b, g, n)
	b.Logf("built %d annotated tags in %v", n, time.Since(start).Round(time.Millisecond))
	r := openTest(b, g, g.Dir)

	run := func(b *testing.B) {
		ctx := context.Background()
		for b.Loop() {
			refs, err := r.ListTags(ctx)
			if err != nil || len(refs) != n {
				b.Fatalf("ListTags: %d refs, %v", len(refs), err)
			}
			ids := make([]string, len(refs))
			for i, ref := range refs {
				ids[i] = ref.Object
			}
			batch, err := r.OpenBatch(ctx)
			if err != nil {
				b.Fatal(err)
			}
			tags, err := batch.Tags(ids)
			if err != nil || len(tags) != n {
				b.Fatalf("Tags: %d, %v", len(tags), err)
			}
			if err := batch.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tags/s")
	}
	b.Run("loose", run)
	g.Git("pack-refs", "--all")
	b.Run("packed", run)
	// The protocol used with git older than 2.36, for comparison.
	r.LegacyCatFile = true
	b.Run("packed-legacy", run)
}
