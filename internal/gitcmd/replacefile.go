package gitcmd

import (
	"os"
	"path/filepath"
	"time"

	"github.com/gto-dev/gto/internal/atomicfile"
)

// staleTemp is the age past which a temporary file of replaceFile's is
// taken for one a killed process left: writing one takes well under a
// second, even the 150 MB object cache of 500,000 tags.
const staleTemp = 10 * time.Minute

// replaceFile replaces the file at path with data (atomicfile.Write, its
// temporary file named path's name and ".*"). The temporary files a killed process left
// beside path (read commands die of Ctrl-C without cleaning up, and any
// process can be killed) are removed first.
func replaceFile(path string, data []byte) error {
	removeStaleTemps(path, time.Now().Add(-staleTemp))
	return atomicfile.Write(path, data, atomicfile.Options{})
}

// removeStaleTemps removes the temporary files of path last written before
// before; younger ones may be another process's, still being written.
func removeStaleTemps(path string, before time.Time) {
	temps, _ := filepath.Glob(globEscape(path) + ".*")
	for _, t := range temps {
		if st, err := os.Lstat(t); err == nil && st.Mode().IsRegular() && st.ModTime().Before(before) {
			os.Remove(t)
		}
	}
}

// globEscape quotes the characters filepath.Match gives a meaning to.
func globEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', '\\':
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
