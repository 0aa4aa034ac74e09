package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/buildinfo"
)

// TestVersionOutput runs `gto version`, `gto version --json` and `gto
// --version` with injected build info.
func TestVersionOutput(t *testing.T) {
	saved := readBuildInfo
	t.Cleanup(func() { readBuildInfo = saved })
	readBuildInfo = func() buildinfo.Info {
		return buildinfo.Info{Version: "v0.3.0", Commit: "3f1c2a9e4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0",
			CommitTime: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), GoVersion: "go1.26.0", Platform: "linux/amd64"}
	}
	text := "🪴 GTO Version: v0.3.0\ncommit: 3f1c2a9e4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0\ncommit time: 2026-11-25T10:00:00Z\ndirty: no\ngo: go1.26.0 linux/amd64\n"
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"version"}, nil, text},
		{[]string{"--version"}, nil, text},
		{[]string{"--version"}, map[string]string{"GTO_EMOJIS": "false"}, strings.TrimPrefix(text, "🪴 ")},
		{[]string{"version", "--json"}, nil, `{
    "version": "v0.3.0",
    "commit": "3f1c2a9e4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0",
    "commit_time": "2026-11-25T10:00:00Z",
    "dirty": false,
    "go_version": "go1.26.0",
    "platform": "linux/amd64"
}
`},
	} {
		var out, errOut bytes.Buffer
		env := &Env{Out: &out, ErrOut: &errOut, Now: time.Now, Getenv: func(k string) (string, bool) {
			if v, ok := tc.env[k]; ok {
				return v, true
			}
			if strings.HasPrefix(k, "GTO_") {
				return "", false
			}
			return os.LookupEnv(k)
		}}
		if code := Run(context.Background(), env, tc.args); code != ExitOK || out.String() != tc.want || errOut.Len() != 0 {
			t.Errorf("gto %s: exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", strings.Join(tc.args, " "), code, out.String(), tc.want, errOut.String())
		}
	}
}

// TestVersionUnknownCommit: without a commit the JSON says null, never a
// made-up value.
func TestVersionUnknownCommit(t *testing.T) {
	saved := readBuildInfo
	t.Cleanup(func() { readBuildInfo = saved })
	readBuildInfo = func() buildinfo.Info {
		return buildinfo.Info{Version: "devel", GoVersion: "go1.26.0", Platform: "linux/amd64"}
	}
	var out bytes.Buffer
	env := &Env{Out: &out, ErrOut: &out, Now: time.Now, Getenv: func(string) (string, bool) { return "", false }}
	if code := Run(context.Background(), env, []string{"version", "--json"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), `"commit": null,`) || !strings.Contains(out.String(), `"commit_time": null,`) {
		t.Errorf("got %s", out.String())
	}
}
