// Package atomicfile replaces files whole: a reader, or a process killed
// half-way, sees the old file or the new one, never part of either.
package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options say how Write makes its temporary file.
type Options struct {
	// Temp is the temporary file's name pattern, as os.CreateTemp takes it
	// ("*" is replaced by a random string), in the file's folder; "" is
	// the file's name and ".*".
	Temp string
	// Perm is the new file's permissions; 0 leaves os.CreateTemp's 0600.
	Perm os.FileMode
	// Sync flushes the new file to disk before it replaces the old one,
	// for a file that must survive a power cut, not only a killed process.
	Sync bool
}

// Write replaces the file at path with data, by renaming a complete
// temporary file over it. On failure the temporary file is removed and the
// old file, if any, is left as it was.
func Write(path string, data []byte, o Options) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), o.pattern(path))
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil && o.Perm != 0 {
		err = tmp.Chmod(o.Perm)
	}
	if err == nil && o.Sync {
		err = tmp.Sync()
	}
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

// pattern is the temporary file's name pattern for path.
func (o Options) pattern(path string) string {
	if o.Temp == "" {
		return filepath.Base(path) + ".*"
	}
	return o.Temp
}

// RemoveTemps removes the temporary files that a Write of path with o, in
// a process killed before its rename, left beside path: those last written
// more than olderThan ago (younger ones may be another process's, still
// being written), or all of them with 0, for a caller holding a lock that
// every writer of path takes.
func RemoveTemps(path string, o Options, olderThan time.Duration) {
	pattern := o.pattern(path)
	glob := globEscape(filepath.Dir(path)) + string(filepath.Separator) + pattern
	if i := strings.LastIndexByte(pattern, '*'); i >= 0 { // os.CreateTemp's random part
		glob = globEscape(filepath.Dir(path)) + string(filepath.Separator) + globEscape(pattern[:i]) + "*" + globEscape(pattern[i+1:])
	}
	temps, _ := filepath.Glob(glob)
	before := time.Now().Add(-olderThan)
	for _, t := range temps {
		if st, err := os.Lstat(t); err == nil && st.Mode().IsRegular() && (olderThan == 0 || st.ModTime().Before(before)) {
			os.Remove(t)
		}
	}
}

// globEscape quotes the characters filepath.Match gives a meaning to.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
