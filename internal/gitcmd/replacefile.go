package gitcmd

import (
	"os"
	"path/filepath"
	"time"
)

// staleTemp is the age past which a temporary file of replaceFile's is
// taken for one a killed process left: writing one takes well under a
// second, even the 150 MB object cache of 500,000 tags.
const staleTemp = 10 * time.Minute

// replaceFile replaces the file at path with data, by renaming a complete
// temporary file over it, so that a reader sees the old file or the new
// one, never part of either. The temporary files a killed process left
// beside path (read commands die of Ctrl-C without cleaning up, and any
// process can be killed) are removed first.
func replaceFile(path string, data []byte) error {
	removeStaleTemps(path, time.Now().Add(-staleTemp))
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
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
