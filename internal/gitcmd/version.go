package gitcmd

import (
	"os/exec"
	"sync"
)

// batchCommandCache remembers, per git executable, that it lacks
// `cat-file --batch-command` (git before 2.36), so that the fallback to the
// old protocol is found once per program run. Only that fallback writes
// it; Options.LegacyCatFile neither reads nor writes it.
var batchCommandCache sync.Map // absolute path of git -> false

// knownLegacyGit reports whether this program already found that its git
// lacks `cat-file --batch-command`.
func knownLegacyGit() bool {
	path, err := exec.LookPath("git")
	if err != nil {
		return false
	}
	_, ok := batchCommandCache.Load(path)
	return ok
}

// rememberLegacyGit records that the git on PATH lacks --batch-command.
func rememberLegacyGit() {
	if path, err := exec.LookPath("git"); err == nil {
		batchCommandCache.Store(path, false)
	}
}
