package cisim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// runOnPath runs the action in work for ref with install: false and the
// gto under test on PATH; with adds inputs.
func runOnPath(t *testing.T, a *actionFile, work, ref string, with map[string]string) (*runner, map[string]string) {
	r := newRunner(t, work, ref)
	r.env["PATH"] = gtoDir + string(os.PathListSeparator) + r.env["PATH"]
	inputs := map[string]string{"install": "false"}
	for k, v := range with {
		inputs[k] = v
	}
	return r, r.runAction(a, inputs)
}

// TestActionEvents runs the action on a tag of each event kind, in a
// shallow clone of the 5,000-tag origin, and checks every output, the
// summary, and that only the artifact's tags were fetched.
func TestActionEvents(t *testing.T) {
	a := loadAction(t)
	o := Origin(t)
	for _, tc := range churnEvents {
		t.Run(tc.event, func(t *testing.T) {
			t.Parallel()
			ref := "refs/tags/" + tc.tag
			work := Checkout(t, o, ref)
			if tags := localTags(t, work); len(tags) != 1 {
				t.Fatalf("the checkout holds %v, want the pushed tag alone", tags)
			}
			r, out := runOnPath(t, a, work, ref, map[string]string{"show": "true", "history": "true"})
			if r.Failed != "" {
				t.Fatalf("step %q failed:\n%s", r.Failed, r.Log.String())
			}
			want := map[string]string{
				"is-gto": "true", "tag": tc.tag, "event": tc.event, "name": "churn",
				"version": tc.version, "stage": tc.stage, "type": "model", "path": "models/churn.pkl",
				"description": Description, "labels": `["tabular","churn"]`,
			}
			for k, v := range want {
				if out[k] != v {
					t.Errorf("output %s = %q, want %q", k, out[k], v)
				}
			}
			if len(out["commit"]) != 40 {
				t.Errorf("output commit = %q", out["commit"])
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(out["json"]), &doc); err != nil || doc["tag"] != tc.tag || doc["event"] != tc.event {
				t.Errorf("output json = %q (%v)", out["json"], err)
			}
			// Only churn's tags came: all of them, and no other.
			tags := localTags(t, work)
			if len(tags) != len(churnTags) {
				t.Errorf("%d tags fetched, want the %d of churn: %v", len(tags), len(churnTags), tags)
			}
			for _, tag := range tags {
				if !strings.HasPrefix(tag, "churn@") && !strings.HasPrefix(tag, "churn#") {
					t.Errorf("fetched %s, a tag of another artifact", tag)
				}
			}
			if !strings.Contains(r.Summary, "### gto: ") || !strings.Contains(r.Summary, "| event | `"+tc.event+"` |") {
				t.Errorf("summary:\n%s", r.Summary)
			}
			if !strings.Contains(r.Log.String(), "│ churn ") || !strings.Contains(r.Log.String(), "│ "+tc.event) {
				t.Errorf("show/history not in the log:\n%s", r.Log.String())
			}
		})
	}
}

// TestActionNotGTO: a branch push gives is-gto=false, fetches nothing and
// succeeds.
func TestActionNotGTO(t *testing.T) {
	a := loadAction(t)
	work := Checkout(t, Origin(t), "refs/heads/main")
	r, out := runOnPath(t, a, work, "refs/heads/main", nil)
	if r.Failed != "" {
		t.Fatalf("step %q failed:\n%s", r.Failed, r.Log.String())
	}
	if out["is-gto"] != "false" || out["name"] != "" || out["version"] != "" {
		t.Errorf("outputs %q", out)
	}
	if tags := localTags(t, work); len(tags) != 0 {
		t.Errorf("fetched %d tags", len(tags))
	}
	if !strings.Contains(r.Summary, "is not a GTO tag") {
		t.Errorf("summary:\n%s", r.Summary)
	}
}

// TestActionMissingRegistration: an assignment whose registration tag is
// not on origin fails the step with one sentence, and hands no hexsha on
// as a version; with allow-unregistered it goes through.
func TestActionMissingRegistration(t *testing.T) {
	a := loadAction(t)
	ref := "refs/tags/ghost#prod#1"
	work := Checkout(t, Origin(t), ref)
	r, out := runOnPath(t, a, work, ref, nil)
	if r.Failed != "Read the tag" {
		t.Fatalf("failed step %q, want the gto step:\n%s", r.Failed, r.Log.String())
	}
	if out["version"] != "" || out["is-gto"] != "" {
		t.Errorf("outputs of a failed step: %q", out)
	}
	if !strings.Contains(r.Log.String(), `❌ The version of "ghost#prod#1" is unknown: no registration tag of artifact "ghost" points at its commit`) {
		t.Errorf("log:\n%s", r.Log.String())
	}
	r, out = runOnPath(t, a, work, ref, map[string]string{"allow-unregistered": "true"})
	if r.Failed != "" || out["version"] != out["commit"] || len(out["version"]) != 40 {
		t.Errorf("allow-unregistered: failed %q, outputs %q\n%s", r.Failed, out, r.Log.String())
	}
}

// TestActionNoFetch: fetch: false reads what the clone has, here the
// assignment without its registration.
func TestActionNoFetch(t *testing.T) {
	a := loadAction(t)
	ref := "refs/tags/churn#prod#1"
	work := Checkout(t, Origin(t), ref)
	r, _ := runOnPath(t, a, work, ref, map[string]string{"fetch": "false"})
	if r.Failed != "Read the tag" || len(localTags(t, work)) != 1 {
		t.Errorf("failed step %q, %d tags\n%s", r.Failed, len(localTags(t, work)), r.Log.String())
	}
}

// release writes a local "release" folder: download/VERSION/ and
// latest/download/ with the archive of this platform (holding gtoBin) and
// SHA256SUMS; corrupt writes a checksum that does not match.
func release(t *testing.T, version string, corrupt bool) string {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the install steps download with curl, which is not installed")
	}
	dir := t.TempDir()
	archive := releaseArchive(t)
	name := "gto_" + strings.TrimPrefix(version, "v") + "_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	sum := sha256.Sum256(archive)
	hexsum := hex.EncodeToString(sum[:])
	if corrupt {
		hexsum = strings.Repeat("0", 64)
	}
	sums := hexsum + "  " + name + "\n" + strings.Repeat("1", 64) + "  gto_" + strings.TrimPrefix(version, "v") + "_plan9_386.tar.gz\n"
	for _, d := range []string{filepath.Join(dir, "download", version), filepath.Join(dir, "latest", "download")} {
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, name), archive, 0o644)
		os.WriteFile(filepath.Join(d, "SHA256SUMS"), []byte(sums), 0o644)
	}
	return dir
}

var releaseOnce struct {
	sync.Once
	data []byte
	err  error
}

// releaseArchive is a tar.gz holding gtoBin and a LICENSE, made once.
func releaseArchive(t *testing.T) []byte {
	releaseOnce.Do(func() {
		exe, err := os.ReadFile(gtoBin)
		if err != nil {
			releaseOnce.err = err
			return
		}
		var buf bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		tw := tar.NewWriter(gz)
		for _, f := range []struct {
			name string
			data []byte
			mode int64
		}{{"gto", exe, 0o755}, {"LICENSE", []byte("Apache License\n"), 0o644}} {
			tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg})
			tw.Write(f.data)
		}
		tw.Close()
		gz.Close()
		releaseOnce.data = buf.Bytes()
	})
	if releaseOnce.err != nil {
		t.Fatal(releaseOnce.err)
	}
	return releaseOnce.data
}

// TestActionInstall runs the whole action with install: true against a
// local release folder: the archive is verified, unpacked into the tool
// cache, put on PATH and used; a second run takes it from the cache.
func TestActionInstall(t *testing.T) {
	a := loadAction(t)
	rel := release(t, "v9.9.9", false)
	ref := "refs/tags/churn#prod#2"
	work := Checkout(t, Origin(t), ref)
	for _, version := range []string{"v9.9.9", "latest"} {
		r := newRunner(t, work, ref)
		out := r.runAction(a, map[string]string{"version": version, "base-url": "file://" + rel})
		if r.Failed != "" {
			t.Fatalf("%s: step %q failed:\n%s", version, r.Failed, r.Log.String())
		}
		if out["version"] != "v1.1.0" || out["stage"] != "prod" {
			t.Errorf("%s: outputs %q", version, out)
		}
		gto := r.steps["install"]["gto"]
		if want := filepath.Join(r.env["RUNNER_TOOL_CACHE"], "gto", "9.9.9", runtime.GOARCH, "gto"); gto != want {
			t.Errorf("%s: installed %q, want %q", version, gto, want)
		}
		if b, _ := os.ReadFile(r.env["GITHUB_PATH"]); strings.TrimSpace(string(b)) != filepath.Dir(gto) {
			t.Errorf("%s: GITHUB_PATH %q", version, b)
		}
		if !strings.Contains(r.Log.String(), "Installed gto 9.9.9 (gto_9.9.9_") {
			t.Errorf("%s: log:\n%s", version, r.Log.String())
		}
		// The same runner again: from the tool cache, no download.
		os.Remove(filepath.Join(rel, "download", "v9.9.9", filepath.Base(archiveOf(t, rel, "v9.9.9"))))
		r.Failed, r.Log = "", strings.Builder{}
		r.runAction(a, map[string]string{"version": "v9.9.9", "base-url": "file://" + rel})
		if r.Failed != "" || !strings.Contains(r.Log.String(), "gto 9.9.9 from the tool cache") {
			t.Errorf("%s: second run: failed %q\n%s", version, r.Failed, r.Log.String())
		}
		rel = release(t, "v9.9.9", false)
	}
}

func archiveOf(t *testing.T, rel, version string) string {
	m, _ := filepath.Glob(filepath.Join(rel, "download", version, "gto_*.tar.gz"))
	if len(m) != 1 {
		t.Fatalf("archives %v", m)
	}
	return m[0]
}

// TestActionInstallFailures: a bad checksum, an unknown version, a
// platform without archive and an unknown runner fail the install step
// with one sentence, and install nothing.
func TestActionInstallFailures(t *testing.T) {
	a := loadAction(t)
	good := release(t, "v9.9.9", false)
	bad := release(t, "v9.9.9", true)
	work := t.TempDir()
	for _, tc := range []struct {
		name     string
		with     map[string]string
		env      map[string]string
		wantLog  string
		wantPath bool
	}{
		{"bad checksum", map[string]string{"version": "v9.9.9", "base-url": "file://" + bad}, nil,
			"::error title=gto::The archive gto_9.9.9_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz has SHA-256 ", false},
		{"unknown version", map[string]string{"version": "v0.0.7", "base-url": "file://" + good}, nil,
			"::error title=gto::Could not download file://" + good + "/download/v0.0.7/SHA256SUMS (", false},
		{"no archive for the platform", map[string]string{"version": "v9.9.9", "base-url": "file://" + good}, map[string]string{"RUNNER_OS": "Windows"},
			"::error title=gto::The SHA256SUMS of gto release 'v9.9.9' lists no archive for windows/", false},
		{"unknown runner OS", map[string]string{"base-url": "file://" + good}, map[string]string{"RUNNER_OS": "Solaris"},
			"::error title=gto::gto releases exist for Linux, macOS and Windows runners, not for RUNNER_OS='Solaris'.", false},
		{"unknown runner arch", map[string]string{"base-url": "file://" + good}, map[string]string{"RUNNER_ARCH": "S390X"},
			"::error title=gto::gto releases exist for X64 and ARM64 runners, not for RUNNER_ARCH='S390X'.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, work, "refs/tags/churn@v1.0.0")
			for k, v := range tc.env {
				r.env[k] = v
			}
			r.runAction(a, tc.with)
			if r.Failed != "Install gto" {
				t.Fatalf("failed step %q, want the install step:\n%s", r.Failed, r.Log.String())
			}
			if !strings.Contains(r.Log.String(), tc.wantLog) {
				t.Errorf("log does not say %q:\n%s", tc.wantLog, r.Log.String())
			}
			if n := strings.Count(r.Log.String(), "::error"); n != 1 {
				t.Errorf("%d error lines:\n%s", n, r.Log.String())
			}
			if entries, _ := os.ReadDir(r.env["RUNNER_TOOL_CACHE"]); len(entries) != 0 {
				t.Errorf("the tool cache holds %v", entries)
			}
			if b, _ := os.ReadFile(r.env["GITHUB_PATH"]); len(b) != 0 {
				t.Errorf("GITHUB_PATH: %q", b)
			}
		})
	}
}
