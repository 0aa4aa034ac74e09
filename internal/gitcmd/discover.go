package gitcmd

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// discover finds the repository that contains the folder abs the way `git
// rev-parse` would, without starting git, for the common layouts only: a
// work tree with a .git folder, or a bare repository whose config says
// bare = true. Every command pays for starting a process (some 15 ms on a
// small machine), and Open would otherwise start one before any other.
//
// ok is false whenever anything is unusual — a variable that changes
// discovery (GIT_DIR, GIT_WORK_TREE, GIT_CEILING_DIRECTORIES, ...), a .git
// file (linked work trees, submodules), core.worktree or an explicit
// core.bare in a work tree, extensions.worktreeConfig, a repository the
// user does not own (git's safe.directory check), another file system on
// the way up (git stops there): then Open asks git, which knows every
// case and words every error.
func discover(abs string, env []string) (r *Repo, ok bool) {
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
			"GIT_COMMON_DIR", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_INDEX_FILE":
			return nil, false
		}
	}
	start, err := os.Stat(abs)
	if err != nil || !start.IsDir() {
		return nil, false
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		st, err := os.Stat(dir)
		if err != nil || !sameFileSystem(start, st) {
			return nil, false
		}
		dotGit := filepath.Join(dir, ".git")
		if gst, err := os.Lstat(dotGit); err == nil {
			if !gst.IsDir() || !gitDirLooksValid(dotGit) || !ownedByMe(gst) {
				return nil, false // a .git file, a link, a damaged or foreign one
			}
			cfg, ok := readCoreConfig(dotGit)
			if !ok || cfg.bare == "true" || cfg.worktree {
				return nil, false
			}
			return &Repo{gitDir: dotGit, workTree: dir, plainRefs: cfg.plainRefs(dotGit)}, true
		}
		if gitDirLooksValid(dir) && ownedByMe(st) {
			cfg, ok := readCoreConfig(dir)
			if !ok || cfg.bare != "true" || cfg.worktree {
				return nil, false // a git folder reached from inside, or odd
			}
			return &Repo{gitDir: dir, bare: true, plainRefs: cfg.plainRefs(dir)}, true
		}
		if parent := filepath.Dir(dir); parent == dir {
			return nil, false // no repository: git says so in its words
		}
	}
}

// gitDirLooksValid reports whether dir has what a git directory has: a
// HEAD file and objects and refs folders.
func gitDirLooksValid(dir string) bool {
	head, err := os.Stat(filepath.Join(dir, "HEAD"))
	if err != nil || !head.Mode().IsRegular() {
		return false
	}
	for _, sub := range []string{"objects", "refs"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// coreConfig is what discovery needs of a repository's config file.
type coreConfig struct {
	bare       string // core.bare as written ("" when absent)
	worktree   bool   // core.worktree is set
	refStorage string // extensions.refStorage ("" when absent: files)
}

// plainRefs reports whether the refs of the git directory dir, configured
// so, are in git's files storage (loose ref files and packed-refs), which
// Repo.refsByPrefix reads.
func (cfg coreConfig) plainRefs(dir string) bool {
	if cfg.refStorage != "" && cfg.refStorage != "files" {
		return false
	}
	_, err := os.Lstat(filepath.Join(dir, "reftable"))
	return os.IsNotExist(err)
}

// readCoreConfig reads core.bare and core.worktree from dir/config; ok is
// false for anything it does not understand at once (includes, and
// extensions that change where things are: worktreeConfig), so that
// discovery leaves the case to git.
func readCoreConfig(dir string) (cfg coreConfig, ok bool) {
	f, err := os.Open(filepath.Join(dir, "config"))
	if err != nil {
		return cfg, false
	}
	defer f.Close()
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			section = strings.ToLower(strings.Trim(line, "[] \t"))
			if strings.HasPrefix(section, "include") {
				return cfg, false
			}
			continue
		}
		key, value, _ := strings.Cut(line, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		value = strings.ToLower(strings.TrimSpace(value))
		switch {
		case section == "core" && key == "bare":
			cfg.bare = value
		case section == "core" && key == "worktree":
			cfg.worktree = true
		case section == "extensions" && key == "refstorage":
			cfg.refStorage = value
		case section == "extensions" && key == "worktreeconfig":
			return cfg, false
		}
	}
	if sc.Err() != nil {
		return cfg, false
	}
	return cfg, cfg.bare == "" || cfg.bare == "true" || cfg.bare == "false"
}
