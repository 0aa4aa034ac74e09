// Package atomicfile replaces files whole: a reader, or a process killed
// half-way, sees the old file or the new one, never part of either.
package atomicfile

import (
	"os"
	"path/filepath"
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
	pattern := o.Temp
	if pattern == "" {
		pattern = filepath.Base(path) + ".*"
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), pattern)
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
