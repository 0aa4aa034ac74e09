// Package tartest lists tar archives for tests: one line per entry.
package tartest

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"testing"
	"time"
)

// ListGz lists the gzip-compressed tar archive r, one line per entry:
// "NAME TYPEFLAG MODE(octal) LINKNAME CONTENT(quoted)". Every entry must
// be dated mtime (zero: not checked).
func ListGz(t testing.TB, r io.Reader, mtime time.Time) []string {
	t.Helper()
	gz, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %c %o %s %q", h.Name, h.Typeflag, h.Mode, h.Linkname, data))
		if !mtime.IsZero() && !h.ModTime.Equal(mtime) {
			t.Errorf("%s dated %v, want %v", h.Name, h.ModTime, mtime)
		}
	}
}
