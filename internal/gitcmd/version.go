package gitcmd

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// forceLegacyCatFile makes OpenBatch use the protocol of git before 2.36
// whatever the version (for tests).
var forceLegacyCatFile = false

// batchCommandCache remembers, per git executable, whether it has
// --batch-command, so that `git version` runs once per program run.
var batchCommandCache sync.Map // absolute path of git -> bool

// hasBatchCommand reports whether the git that r runs supports `cat-file
// --batch-command`. When that cannot be found out, it says no: the older
// protocol works with every git.
func (r *Repo) hasBatchCommand(ctx context.Context) bool {
	path, err := exec.LookPath("git")
	if err != nil {
		return false
	}
	if v, ok := batchCommandCache.Load(path); ok {
		return v.(bool)
	}
	out, err := r.git(ctx, "version")
	if err != nil {
		return false
	}
	major, minor, ok := parseVersion(string(out))
	// cat-file --batch-command appeared in git 2.36.
	has := ok && (major > 2 || major == 2 && minor >= 36)
	batchCommandCache.Store(path, has)
	return has
}

// parseVersion reads major and minor from `git version` output such as
// "git version 2.39.5", "git version 2.37.1 (Apple Git-137.1)" or
// "git version 2.45.2.windows.1".
func parseVersion(out string) (major, minor int, ok bool) {
	v, found := strings.CutPrefix(strings.TrimSpace(out), "git version ")
	if !found {
		return 0, 0, false
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}
