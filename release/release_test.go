package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// moduleRoot is the checkout this test runs in; the test is skipped
// outside a git checkout (a source archive).
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, _ := filepath.Abs("..")
	if err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skip("not in a git checkout")
	}
	return root
}

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// wantEntries are the files of every archive besides the binary.
var wantEntries = []string{
	"LICENSE", "README.md",
	"completions/_gto", "completions/gto.bash", "completions/gto.fish", "completions/gto.ps1",
	"man/man1/gto-ci-github.1", "man/man1/gto-completion.1", "man/man1/gto-version.1", "man/man1/gto.1",
}

// TestHostArchive builds this platform's archive and checks its contents,
// its checksum, that it is reproducible, and that the binary inside runs
// `gto version` with the version and commit it was built from.
func TestHostArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gto: not with -short")
	}
	root := moduleRoot(t)
	host := runtime.GOOS + "/" + runtime.GOARCH
	out := t.TempDir()
	names, err := Build(Options{Version: "v0.0.0-test", Out: out, Platforms: []string{host}, AllowDirty: true, Root: root, Log: logWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	want := ArchiveName("v0.0.0-test", runtime.GOOS, runtime.GOARCH)
	if len(names) != 1 || names[0] != want {
		t.Fatalf("archives %v, want [%s]", names, want)
	}
	files := checkSums(t, out, names)
	entries := readArchive(t, filepath.Join(out, want))
	bin := "gto"
	if runtime.GOOS == "windows" {
		bin = "gto.exe"
	}
	checkEntries(t, entries, bin)

	x := t.TempDir()
	for name, data := range entries {
		p := filepath.Join(x, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) []byte {
		cmd := exec.Command(filepath.Join(x, bin), args...)
		cmd.Env = append(os.Environ(), "GTO_EMOJIS=false")
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("gto %s: %v", strings.Join(args, " "), err)
		}
		return b
	}
	var v struct {
		Version, Commit string
		Dirty           bool
	}
	if err := json.Unmarshal(run("version", "--json"), &v); err != nil {
		t.Fatal(err)
	}
	head, _ := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if v.Version != "v0.0.0-test" || v.Commit != strings.TrimSpace(string(head)) {
		t.Errorf("gto version --json: %+v, want v0.0.0-test at %s", v, head)
	}
	if !bytes.HasPrefix(run("--version"), []byte("GTO Version: v0.0.0-test\n")) {
		t.Error("gto --version does not name the release version")
	}
	if !bytes.Equal(run("completion", "bash"), entries["completions/gto.bash"]) {
		t.Error("completions/gto.bash differs from what `gto completion bash` prints")
	}

	// The same binary, commit and version give the same archive (the
	// binary itself is reproducible with -trimpath: Go's business).
	src, err := readSource(Options{Version: "v0.0.0-test", AllowDirty: true, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := generateDocs(src)
	if err != nil {
		t.Fatal(err)
	}
	docs["LICENSE"], docs["README.md"] = entries["LICENSE"], entries["README.md"]
	_, data, err := archive(runtime.GOOS, runtime.GOARCH, filepath.Join(x, bin), docs, src)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); !strings.Contains(files, hex.EncodeToString(sum[:])+"  "+want) {
		t.Errorf("archiving again gives other bytes than SHA256SUMS says:\n%s", files)
	}
}

// TestAllArchives builds the six platforms (slow: GTO_RELEASE_ALL=1).
func TestAllArchives(t *testing.T) {
	if os.Getenv("GTO_RELEASE_ALL") == "" {
		t.Skip("GTO_RELEASE_ALL=1 builds the archives of every platform")
	}
	root := moduleRoot(t)
	out := t.TempDir()
	names, err := Build(Options{Version: "v0.0.0-test", Out: out, Platforms: Platforms, AllowDirty: true, Root: root, Log: logWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 6 {
		t.Fatalf("archives %v", names)
	}
	checkSums(t, out, names)
	for _, p := range Platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		bin := "gto"
		if goos == "windows" {
			bin = "gto.exe"
		}
		checkEntries(t, readArchive(t, filepath.Join(out, ArchiveName("v0.0.0-test", goos, goarch))), bin)
	}
}

// checkSums checks SHA256SUMS against the archives and returns its text.
func checkSums(t *testing.T, dir string, names []string) string {
	t.Helper()
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	for _, n := range sorted {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		want.WriteString(hex.EncodeToString(sum[:]) + "  " + n + "\n")
	}
	if string(sums) != want.String() {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", sums, want.String())
	}
	return string(sums)
}

func checkEntries(t *testing.T, entries map[string][]byte, bin string) {
	t.Helper()
	for _, name := range append([]string{bin}, wantEntries...) {
		if len(entries[name]) == 0 {
			t.Errorf("the archive lacks %s (has %d files)", name, len(entries))
		}
	}
	if !bytes.Contains(entries["man/man1/gto-ci-github.1"], []byte(".TH \"GTO\" \"1\"")) {
		t.Error("gto-ci-github.1 is no man page")
	}
	for name := range entries {
		if strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
			t.Errorf("unsafe entry %q", name)
		}
	}
}

// readArchive returns the regular files of a tar.gz or zip archive.
func readArchive(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			out[f.Name], _ = io.ReadAll(r)
			r.Close()
		}
		return out
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			out[h.Name], _ = io.ReadAll(tr)
		}
	}
}

// TestRefusals: the errors of a release build, before anything is built.
func TestRefusals(t *testing.T) {
	if _, err := ParsePlatforms("plan9/386"); err == nil || !strings.Contains(err.Error(), `unknown platform "plan9/386"`) {
		t.Errorf("ParsePlatforms: %v", err)
	}
	if p, _ := ParsePlatforms("linux/arm64,windows/amd64"); len(p) != 2 {
		t.Errorf("ParsePlatforms: %v", p)
	}
	repo := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=T", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+repo)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, b)
		}
	}
	out := filepath.Join(t.TempDir(), "dist")
	opts := Options{Out: out, Platforms: Platforms[:1], Root: repo, Log: io.Discard}
	if _, err := Build(opts); err == nil || !strings.Contains(err.Error(), "a release is built from a git checkout") {
		t.Errorf("outside git: %v", err)
	}
	git("init", "-q")
	os.WriteFile(filepath.Join(repo, "f"), []byte("1"), 0o644)
	git("add", "f")
	git("commit", "-q", "-m", "one")
	if _, err := Build(opts); err == nil || err.Error() != "HEAD is at no release tag vX.Y.Z: tag it, or pass -version" {
		t.Errorf("no tag: %v", err)
	}
	os.WriteFile(filepath.Join(repo, "f"), []byte("2"), 0o644)
	if _, err := Build(opts); err == nil || err.Error() != "the work tree has uncommitted changes: commit them, or pass -allow-dirty for a test build" {
		t.Errorf("dirty: %v", err)
	}
	opts.AllowDirty, opts.Version = true, "1.0"
	if _, err := Build(opts); err == nil || err.Error() != `version "1.0" is not of the form vX.Y.Z` {
		t.Errorf("bad version: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused build wrote %s", out)
	}
}
