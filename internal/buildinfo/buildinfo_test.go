package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func vcs(rev, when, modified string) []debug.BuildSetting {
	return []debug.BuildSetting{
		{Key: "GOOS", Value: "darwin"}, {Key: "GOARCH", Value: "arm64"},
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
		{Key: "vcs.time", Value: when}, {Key: "vcs.modified", Value: modified},
	}
}

const rev = "3f1c2a9e4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0"

func TestFromBuildInfo(t *testing.T) {
	when := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		o    Overrides
		want Info
	}{{
		name: "go build in a clean checkout at a release tag",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.3.0"}, Settings: vcs(rev, "2026-11-25T10:00:00Z", "false")},
		want: Info{Version: "v0.3.0", Commit: rev, CommitTime: when, GoVersion: "go1.26.0", Platform: "darwin/arm64"},
	}, {
		name: "go build after the tag, with changes: Go's pseudo-version",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.3.1-0.20261125100000-3f1c2a9e4b5c+dirty"}, Settings: vcs(rev, "2026-11-25T11:00:00+01:00", "true")},
		want: Info{Version: "v0.3.1-0.20261125100000-3f1c2a9e4b5c+dirty", Commit: rev, CommitTime: when, Dirty: true, GoVersion: "go1.26.0", Platform: "darwin/arm64"},
	}, {
		name: "go install MODULE@VERSION: a version, no commit",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.3.0"}},
		want: Info{Version: "v0.3.0", GoVersion: "go1.26.0"},
	}, {
		name: "VCS settings without a version (-buildvcs with an old Go): devel plus the commit",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-11-25T10:00:00Z", "true")},
		want: Info{Version: "devel-3f1c2a9e4b5c+dirty", Commit: rev, CommitTime: when, Dirty: true, GoVersion: "go1.26.0", Platform: "darwin/arm64"},
	}, {
		name: "nothing known (-buildvcs=false, go test)",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
		want: Info{Version: "devel", GoVersion: "go1.26.0"},
	}, {
		name: "release build: -ldflags -X wins over everything",
		bi:   &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs("0000000000000000000000000000000000000000", "2020-01-01T00:00:00Z", "true")},
		o:    Overrides{Version: "v0.3.0", Commit: rev, CommitTime: "2026-11-25T10:00:00Z", Dirty: "false"},
		want: Info{Version: "v0.3.0", Commit: rev, CommitTime: when, GoVersion: "go1.26.0", Platform: "darwin/arm64"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := FromBuildInfo(tc.bi, tc.o)
			if tc.want.Platform == "" {
				tc.want.Platform = got.Platform // the running platform
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if strings.Contains(got.Version, "0.1.0-dev") {
				t.Errorf("version %q", got.Version)
			}
		})
	}
}

func TestNoBuildInfo(t *testing.T) {
	got := FromBuildInfo(nil, Overrides{})
	if got.Version != "devel" || got.Commit != "" || got.GoVersion == "" || got.Platform == "" {
		t.Errorf("got %+v", got)
	}
}

func TestLines(t *testing.T) {
	i := Info{Version: "v0.3.0", Commit: rev, CommitTime: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), Dirty: true, GoVersion: "go1.26.0", Platform: "linux/amd64"}
	want := "commit: " + rev + "\ncommit time: 2026-11-25T10:00:00Z\ndirty: yes\ngo: go1.26.0 linux/amd64"
	if got := strings.Join(i.Lines(), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	i = Info{Version: "devel", GoVersion: "go1.26.0", Platform: "linux/amd64"}
	want = "commit: unknown\ncommit time: unknown\ndirty: unknown\ngo: go1.26.0 linux/amd64"
	if got := strings.Join(i.Lines(), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if i.ShortCommit() != "" || (Info{Commit: rev}).ShortCommit() != "3f1c2a9e4b5c" {
		t.Error("ShortCommit")
	}
}
