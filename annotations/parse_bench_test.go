package annotations

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse500 parses an artifacts.yaml of 500 annotated artifacts,
// the size of the bench/ large registry's: every command that reads the
// registry parses HEAD's file once (see bench/RESULTS.md).
func BenchmarkParse500(b *testing.B) {
	var sb strings.Builder
	for i := range 500 {
		fmt.Fprintf(&sb, "model-%03d:\n  type: model\n  path: models/model-%03d.txt\n  description: revision %d\n", i, i, i%7)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "artifacts.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
