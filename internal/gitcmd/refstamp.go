package gitcmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RefStamp tells cheaply whether the tags of a repository may have
// changed, without running git: it compares what git's ref storage looks
// like on disk (packed-refs, the folders of loose tag refs, the reftable
// stack) with how it looked at the previous call. A long-running reader
// (gto events --follow, gto watch) asks it every second and lists the tags
// only when it says so.
//
// Git replaces a ref file, packed-refs or reftable's tables.list by
// renaming a new file over it, so every change of a tag changes the inode
// or the modification time of that file or of the folder the loose ref is
// in. File times are coarse (a few milliseconds), so a stamp taken less
// than Settle after the newest of those times is not trusted: Changed
// reports true until the storage has been quiet that long.
type RefStamp struct {
	common string
	// dirs are the folders under refs/tags with the listing of their
	// subfolders, read again when the folder's own stamp changes.
	dirs map[string]dirStamp
	last string
	now  func() time.Time
}

// Settle is how long the ref storage must have been unchanged before a
// stamp is trusted (see RefStamp).
const Settle = 2 * time.Second

type dirStamp struct {
	stamp string
	subs  []string
}

// NewRefStamp returns the stamp of r's tag refs; the first Changed reports
// true.
func (r *Repo) NewRefStamp() *RefStamp {
	return &RefStamp{common: r.commonDir(), dirs: map[string]dirStamp{}, now: time.Now}
}

// Changed reports whether the tags may have changed since the previous
// call (always true for the first).
func (s *RefStamp) Changed() bool {
	var b strings.Builder
	newest := time.Time{}
	add := func(path string) {
		st, err := os.Stat(path)
		if err != nil {
			fmt.Fprintf(&b, "%s -\n", path)
			return
		}
		fmt.Fprintf(&b, "%s %s\n", path, fileStamp(st))
		if st.ModTime().After(newest) {
			newest = st.ModTime()
		}
	}
	add(filepath.Join(s.common, "packed-refs"))
	add(filepath.Join(s.common, "reftable", "tables.list"))
	seen := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		seen[dir] = true
		before := b.Len()
		add(dir)
		stamp := b.String()[before:]
		d, ok := s.dirs[dir]
		if !ok || d.stamp != stamp {
			d = dirStamp{stamp: stamp, subs: subfolders(dir)}
			s.dirs[dir] = d
		}
		for _, sub := range d.subs {
			walk(sub)
		}
	}
	walk(filepath.Join(s.common, "refs", "tags"))
	for dir := range s.dirs {
		if !seen[dir] {
			delete(s.dirs, dir)
		}
	}
	cur := b.String()
	changed := cur != s.last || s.now().Sub(newest) < Settle
	s.last = cur
	return changed
}

// subfolders lists the folders in dir (tag names with a "/" are loose refs
// in subfolders).
func subfolders(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}
