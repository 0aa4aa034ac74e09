package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxFileSize is the largest configuration file Load reads; a real one is a
// few lines.
const MaxFileSize = 1 << 20

// CheckSize returns the error Load and LoadBytes give for a file of size
// bytes over MaxFileSize (nil when it is not), so that a caller can refuse a
// file without reading it whole.
func CheckSize(name string, size int64) error {
	if size > MaxFileSize {
		return fmt.Errorf("%s is too large for a configuration file (over %d KiB)", name, MaxFileSize>>10)
	}
	return nil
}

// Load returns the configuration of the repository (or plain folder) dir:
// Default, overridden by the file dir/.gto when it exists (GTO_CONFIG_FILE_NAME
// names another file; a missing or empty file is fine), overridden by the
// environment variables GTO_TYPES, GTO_STAGES (JSON lists), GTO_EMOJIS,
// GTO_LOG_LEVEL and GTO_INDEX, looked up with getenv.
//
// File keys are case-insensitive, as in gto: types, stages, emojis,
// log_level, index; debug, enrichments, autoload_enrichments and
// config_file_name are accepted and ignored; any other key is an error.
// Every type and stage must be a valid name; the index (from the file or
// GTO_INDEX) must be a relative file name that stays inside the repository
// and out of its .git folder. Errors are one sentence that
// names the file or the variable.
func Load(dir string, getenv func(string) (string, bool)) (Config, error) {
	c := Default()
	name := FileNameFrom(getenv)
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, name)
	}
	data, found, err := readFile(path, name)
	if err != nil {
		return Config{}, err
	}
	if found && name == FileName {
		// The default .gto comes with the repository: it must not lead gto
		// to read a file elsewhere through a symbolic link (a hostile
		// clone's .gto -> ~/.aws/credentials). A file the user names with
		// GTO_CONFIG_FILE_NAME may be anywhere.
		if err := checkInside(dir, path, name); err != nil {
			return Config{}, err
		}
	}
	if found {
		c.File = path
		if err := c.applyFile(data, name); err != nil {
			return Config{}, err
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return Config{}, err
	}
	return c, nil
}

// FileNameFrom returns the name of the configuration file: FileName, unless
// GTO_CONFIG_FILE_NAME (looked up with getenv) names another one. It is the
// one place that reads GTO_CONFIG_FILE_NAME.
func FileNameFrom(getenv func(string) (string, bool)) string {
	if v, ok := getenv("GTO_CONFIG_FILE_NAME"); ok && v != "" {
		return v
	}
	return FileName
}

// FromEnvironment is the configuration set by the environment alone (no
// file): what applies before a repository is read, such as whether an error
// about opening one may carry an emoji.
func FromEnvironment(getenv func(string) (string, bool)) (Config, error) {
	return LoadBytes(nil, "", getenv)
}

// LoadBytes is Load for a configuration file given by content rather than
// read from a folder: data is the file's content (nil when there is none),
// name its name for messages. A bare repository's .gto is read this way from
// its HEAD commit.
func LoadBytes(data []byte, name string, getenv func(string) (string, bool)) (Config, error) {
	c := Default()
	if data != nil {
		if err := CheckSize(name, int64(len(data))); err != nil {
			return Config{}, err
		}
		c.File = name
		if err := c.applyFile(data, name); err != nil {
			return Config{}, err
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return Config{}, err
	}
	return c, nil
}

// readFile returns the content of the configuration file at path, or
// found == false when there is none. name is the file's name for messages.
func readFile(path, name string) (data []byte, found bool, err error) {
	// Stat first: opening a FIFO (or a link to a terminal) would block.
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err == nil && !st.IsDir() && !st.Mode().IsRegular() {
		return nil, false, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%s: cannot read the configuration file: %w", name, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, false, fmt.Errorf("%s is a directory, not a configuration file", name)
	}
	data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, false, fmt.Errorf("%s: cannot read the configuration file: %w", name, err)
	}
	if err := CheckSize(name, int64(len(data))); err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// checkInside fails when path, the configuration file name in dir, is a
// symbolic link to a file outside dir.
func checkInside(dir, path, name string) error {
	real, err1 := filepath.EvalSymlinks(path)
	top, err2 := filepath.EvalSymlinks(dir)
	if err1 != nil || err2 != nil {
		return nil // gone meanwhile, or dir unreadable: nothing was read from elsewhere
	}
	real, err1 = filepath.Abs(real)
	top, err2 = filepath.Abs(top)
	if err1 != nil || err2 != nil {
		return nil
	}
	rel, err := filepath.Rel(top, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s is a symbolic link to a file outside the repository", name)
	}
	return nil
}
