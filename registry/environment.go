package registry

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/model"
)

// environment is what the registry reads from the environment, read once
// when it is opened: the one place the registry looks at it (the GTO_*
// variables of the configuration itself are config's, through the same
// lookup function).
type environment struct {
	// configFile is the name of the configuration file (GTO_CONFIG_FILE_NAME).
	configFile string
	// noObjectCache turns gto's object cache off (GTO_NO_OBJECT_CACHE set
	// to anything but empty).
	noObjectCache bool
	// cacheDir is GTO_CACHE_DIR; xdgCacheHome XDG_CACHE_HOME.
	cacheDir, xdgCacheHome string
	// committerDate reports that GIT_COMMITTER_DATE is set: git dates tags
	// with it, and the registry then gives no date of its own.
	committerDate bool
	// policyFile is the policy file's path in the repository (GTO_POLICY,
	// else gto-policy.yaml).
	policyFile string
	// timeout bounds the git commands that talk to a remote (GTO_TIMEOUT);
	// lockTimeout the wait for another gto's lock (GTO_LOCK_TIMEOUT).
	timeout, lockTimeout time.Duration
}

// Defaults of the environment's durations.
const (
	DefaultTimeout     = 60 * time.Second
	DefaultLockTimeout = 2 * time.Minute
)

func readEnvironment(getenv func(string) (string, bool)) (environment, error) {
	value := func(name string) string {
		v, _ := getenv(name)
		return v
	}
	env := environment{
		configFile:    config.FileNameFrom(getenv),
		noObjectCache: value("GTO_NO_OBJECT_CACHE") != "",
		cacheDir:      value("GTO_CACHE_DIR"),
		xdgCacheHome:  value("XDG_CACHE_HOME"),
		committerDate: value("GIT_COMMITTER_DATE") != "",
	}
	var err error
	if env.policyFile, err = policyFileVar(value("GTO_POLICY")); err != nil {
		return env, err
	}
	if env.timeout, err = durationVar("GTO_TIMEOUT", value("GTO_TIMEOUT"), DefaultTimeout); err != nil {
		return env, err
	}
	env.lockTimeout, err = durationVar("GTO_LOCK_TIMEOUT", value("GTO_LOCK_TIMEOUT"), DefaultLockTimeout)
	return env, err
}

// durationVar reads the duration of the variable name ("90s", "2m", or a
// number of seconds); def when empty.
func durationVar(name, v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := ParseDuration(v)
	if err != nil {
		return 0, &model.InvalidError{Field: name, Value: v, Detail: model.Detail{
			Msg: fmt.Sprintf("%s must be a duration such as 30s or 2m, got %q", name, v)}}
	}
	return d, nil
}

// ParseDuration reads a positive duration: "90s", "2m", "1h30m", or a
// number of seconds ("90").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		s = fmt.Sprintf("%gs", n)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("invalid duration %q: a positive duration such as 30s or 2m is expected", s)
	}
	return d, nil
}

// cacheDir returns the folder that holds the mirrors of remote
// registries: opts.CacheDir, GTO_CACHE_DIR, or gto/ in the user cache
// directory ($XDG_CACHE_HOME).
func cacheDir(opts Options, env environment) (string, error) {
	switch {
	case opts.CacheDir != "":
		return opts.CacheDir, nil
	case env.cacheDir != "":
		return env.cacheDir, nil
	case env.xdgCacheHome != "":
		return filepath.Join(env.xdgCacheHome, "gto"), nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", &model.InvalidError{Detail: model.Detail{Code: model.CodeNoCacheDir, Err: err,
			Msg: fmt.Sprintf("cannot find a cache directory (%v)", err), Hint: "set GTO_CACHE_DIR or Options.CacheDir"}}
	}
	return filepath.Join(base, "gto"), nil
}
