// Package buildinfo says which gto this binary is: its version, the commit it
// was built from, that commit's time, whether the work tree had uncommitted
// changes, and the Go toolchain. It reads what the Go linker stamped into the
// binary (runtime/debug.ReadBuildInfo: the main module's version and the
// vcs.* settings), which release builds may override with -ldflags -X.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Info describes one gto binary.
type Info struct {
	// Version is the release version ("v0.3.0"), Go's VCS-derived version
	// of the build ("v0.3.1-0.20261125100000-3f1c2a9e4b5c+dirty": the
	// nearest release tag, then the commit), or "devel" followed by the
	// commit ("devel-3f1c2a9e4b5c") when Go stamped none; "devel" alone
	// when nothing is known (a build outside a git checkout).
	Version string
	// Commit is the full commit hexsha the binary was built from, "" when
	// unknown (go install MODULE@VERSION records no commit).
	Commit string
	// CommitTime is the commit's time in UTC, zero when unknown.
	CommitTime time.Time
	// Dirty reports whether the work tree had uncommitted changes (false
	// when the commit is unknown).
	Dirty bool
	// GoVersion is the Go toolchain ("go1.26.0"), Platform GOOS/GOARCH.
	GoVersion, Platform string
}

// Overrides are the values a release build sets with -ldflags -X (see
// internal/cli: Version, Commit, CommitTime, Dirty); an empty field keeps
// what the build info says.
type Overrides struct {
	Version    string
	Commit     string
	CommitTime string // RFC 3339
	Dirty      string // "true" or "false"
}

// Read returns the Info of the running binary.
func Read(o Overrides) Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return FromBuildInfo(bi, o)
}

// FromBuildInfo computes the Info of a binary from its build info (nil
// when the binary has none) and the overrides.
func FromBuildInfo(bi *debug.BuildInfo, o Overrides) Info {
	info := Info{GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var stamped string
	if bi != nil {
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		stamped = bi.Main.Version
		var goos, goarch string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				info.CommitTime, _ = time.Parse(time.RFC3339Nano, s.Value)
			case "vcs.modified":
				info.Dirty = s.Value == "true"
			case "GOOS":
				goos = s.Value
			case "GOARCH":
				goarch = s.Value
			}
		}
		if goos != "" && goarch != "" {
			info.Platform = goos + "/" + goarch
		}
	}
	if o.Commit != "" {
		info.Commit = o.Commit
	}
	if o.CommitTime != "" {
		if t, err := time.Parse(time.RFC3339Nano, o.CommitTime); err == nil {
			info.CommitTime = t
		}
	}
	if o.Dirty != "" {
		info.Dirty = o.Dirty == "true"
	}
	if !info.CommitTime.IsZero() {
		info.CommitTime = info.CommitTime.UTC()
	}
	switch {
	case o.Version != "":
		info.Version = o.Version
	case stamped != "" && stamped != "(devel)":
		info.Version = stamped
	case info.Commit != "":
		info.Version = "devel-" + short(info.Commit)
		if info.Dirty {
			info.Version += "+dirty"
		}
	default:
		info.Version = "devel"
	}
	return info
}

// short is the 12-character prefix Go's pseudo-versions use.
func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// ShortCommit is the commit shortened to 12 characters, "" when unknown.
func (i Info) ShortCommit() string { return short(i.Commit) }

// Lines is the text of `gto version` after its first line, one "key: value"
// line each: commit, commit time, dirty, Go version and platform.
func (i Info) Lines() []string {
	commit, when := "unknown", "unknown"
	if i.Commit != "" {
		commit = i.Commit
	}
	if !i.CommitTime.IsZero() {
		when = i.CommitTime.Format(time.RFC3339)
	}
	dirty := "unknown"
	switch {
	case i.Dirty:
		dirty = "yes"
	case i.Commit != "":
		dirty = "no"
	}
	return []string{
		"commit: " + commit,
		"commit time: " + when,
		"dirty: " + dirty,
		"go: " + strings.TrimSpace(i.GoVersion+" "+i.Platform),
	}
}
