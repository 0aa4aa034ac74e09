package registry

import (
	"fmt"
	"os"
	"path/filepath"

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
}

func readEnvironment(getenv func(string) (string, bool)) environment {
	value := func(name string) string {
		v, _ := getenv(name)
		return v
	}
	return environment{
		configFile:    config.FileNameFrom(getenv),
		noObjectCache: value("GTO_NO_OBJECT_CACHE") != "",
		cacheDir:      value("GTO_CACHE_DIR"),
		xdgCacheHome:  value("XDG_CACHE_HOME"),
		committerDate: value("GIT_COMMITTER_DATE") != "",
	}
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
