package registry

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/internal/tartest"
	"github.com/gto-dev/gto/model"
)

// collectFiles is a Sink that records what it is handed.
func collectFiles(got *[]string) Sink {
	return func(f File) error {
		var content []byte
		if f.Content != nil {
			content, _ = io.ReadAll(f.Content)
		}
		*got = append(*got, fmt.Sprintf("%s %d %q %q", f.Name, f.Kind, f.Link, content))
		return nil
	}
}

func TestGetOnTheFake(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	ctx := t.Context()
	f.repo.CommitModes("models", map[string]string{
		"artifacts.yaml":      "nn:\n  type: model\n  path: models/nn/\nfile:\n  path: ./top.bin\n",
		"models/nn/w.bin":     "weights",
		"models/nn/run.sh":    "#!/bin/sh\n",
		"models/nn/link":      "w.bin",
		"models/nn/sub/x":     "x",
		"models/nn/vendor":    strings.Repeat("5", 40),
		"models/nnx/not-this": "other folder",
		"top.bin":             "top",
	}, map[string]string{"models/nn/run.sh": store.ModeExecutable, "models/nn/link": store.ModeSymlink, "models/nn/vendor": store.ModeSubmodule})
	for _, name := range []string{"nn", "file"} {
		if _, err := f.reg.Register(ctx, RegisterOptions{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	res, err := f.reg.Get(ctx, GetOptions{Ref: "nn"}, collectFiles(&got))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`nn/vendor 3 "" ""`, // a submodule is an empty folder, handed on first
		`nn/link 2 "w.bin" ""`,
		`nn/run.sh 1 "" "#!/bin/sh\n"`,
		`nn/sub/x 0 "" "x"`,
		`nn/w.bin 0 "" "weights"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("files = %q\nwant %q", got, want)
	}
	if res.Name != "nn" || res.Version != "v0.0.1" || res.Path != "models/nn" || res.Type != "model" || res.Source != SourceGit || res.Files != 4 || res.Bytes != 23 {
		t.Errorf("resolved = %+v", res)
	}
	got = nil
	if res, err = f.reg.Get(ctx, GetOptions{Ref: "file@v0.0.1"}, collectFiles(&got)); err != nil || !slices.Equal(got, []string{`top.bin 0 "" "top"`}) || res.Path != "top.bin" {
		t.Errorf("get of a file = %q, %+v, %v", got, res, err)
	}
}

func TestGetErrorsOnTheFake(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	ctx := t.Context()
	f.repo.Commit("models", map[string]string{"artifacts.yaml": "nopath: {}\nnn:\n  path: models/nn\n", "models/nn/w": "w"})
	for _, name := range []string{"nn", "nopath"} {
		if _, err := f.reg.Register(ctx, RegisterOptions{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	never := func(File) error { t.Error("sink called"); return nil }
	for ref, want := range map[string]string{
		"nn@v9.9.9":    `version v9.9.9 of artifact "nn" not found`,
		"nn#prod":      `no version of artifact "nn" is in stage "prod"`,
		"ghost":        `artifact "ghost" not found`,
		"nopath":       `artifact "nopath" has no path annotated, so there is nothing to get: annotate it with the path of its files`,
		"bad name!":    `invalid`,
		"nn@notsemver": `version`,
	} {
		_, err := f.reg.Get(ctx, GetOptions{Ref: ref}, never)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Get(%q) = %v, want %q", ref, err, want)
		}
	}
	// The sink's error stops the Get and is returned.
	stop := errors.New("disk full")
	if _, err := f.reg.Get(ctx, GetOptions{Ref: "nn"}, func(File) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Get with a failing sink = %v", err)
	}
}

func TestGetRefusesHostileNamesOnTheFake(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"models/nn/../x", "models/nn//abs", "models/nn/.GIT/config", "models/nn/./x"} {
		f := newFake(t, memstore.Options{})
		ctx := t.Context()
		f.repo.Commit("models", map[string]string{"artifacts.yaml": "nn:\n  path: models/nn\n", "models/nn/ok": "ok", bad: "evil"})
		if _, err := f.reg.Register(ctx, RegisterOptions{Name: "nn"}); err != nil {
			t.Fatal(err)
		}
		_, err := f.reg.Get(ctx, GetOptions{Ref: "nn"}, func(File) error { t.Errorf("%s: sink called", bad); return nil })
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "refusing to write") {
			t.Errorf("%s: Get = %v", bad, err)
		}
	}
}

// A tree entry whose name holds a slash cannot be made with git mktree,
// but it can be written as raw bytes (hash-object --literally): its name
// reads as an absolute path below the artifact's folder.
func TestGetRefusesASlashedNameInARealTree(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	g.Commit("annotate", map[string]string{"artifacts.yaml": "nn:\n  path: models/nn\n"})
	blob := g.GitInput("evil\n", "hash-object", "-w", "--stdin")
	raw, _ := hex.DecodeString(blob)
	nn := writeRawTree(t, g, "100644 /etc/passwd\x00"+string(raw))
	models := g.GitInput("040000 tree "+nn+"\tnn\n", "mktree")
	root := g.GitInput(fmt.Sprintf("100644 blob %s\tartifacts.yaml\n040000 tree %s\tmodels\n", g.Git("rev-parse", "HEAD:artifacts.yaml"), models), "mktree")
	commit := g.Git("commit-tree", "-p", "HEAD", "-m", "evil", root)
	g.Tag("nn@v0.0.1", commit, "Registering artifact nn version v0.0.1")
	r, err := Open(t.Context(), sealedAt(g, g.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := t.TempDir()
	w, err := NewDirWriter(filepath.Join(out, "deploy"), "nn")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Get(t.Context(), GetOptions{Ref: "nn"}, w.File)
	if err == nil || !strings.Contains(err.Error(), `refusing to write "nn//etc/passwd"`) {
		t.Errorf("Get = %v", err)
	}
	w.Abort()
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the output has %v", entries)
	}
}

func writeRawTree(t *testing.T, g *gittest.Repo, content string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "tree")
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return g.Git("hash-object", "-t", "tree", "--literally", "-w", f)
}

func TestLockOutputs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lock string
		want []string
	}{
		{"schema: '2.0'\nstages:\n  a:\n    outs:\n    - path: m/x.pkl\n    - path: ./data/\n  b:\n    outs:\n    - path: y\n", []string{"m/x.pkl", "data", "y"}},
		{"stages:\n  a:\n    outs: nope\n  b: 3\n", nil},
		{"stages: &s\n  a:\n    outs:\n    - path: *s\n", nil}, // an alias is not a path
		{": not yaml [", nil},
		{"", nil},
	} {
		if got := lockOutputs([]byte(tt.lock)); !slices.Equal(got, tt.want) {
			t.Errorf("lockOutputs(%q) = %q, want %q", tt.lock, got, tt.want)
		}
	}
}

func TestTarGz(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tw := NewTarGz(&buf, fakeClock)
	for _, f := range []File{
		{Name: "nn/w", Size: 2, Content: strings.NewReader("w\n")},
		{Name: "nn/run", Kind: FileExecutable, Size: 1, Content: strings.NewReader("r")},
		{Name: "nn/link", Kind: FileSymlink, Link: "w", Size: 1},
		{Name: "nn/sub", Kind: FileDir},
	} {
		if err := tw.File(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	got := tartest.ListGz(t, &buf, fakeClock)
	want := []string{`nn/w 0 644  "w\n"`, `nn/run 0 755  "r"`, `nn/link 2 777 w ""`, `nn/sub/ 5 755  ""`}
	if !slices.Equal(got, want) {
		t.Errorf("tar = %q\nwant %q", got, want)
	}
}

func TestDirWriter(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "b")
	w, err := NewDirWriter(dir, "nn")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the output folder exists before the first file: %v", err)
	}
	for _, f := range []File{
		{Name: "nn/x/y", Content: strings.NewReader("y")},
		{Name: "nn/l", Kind: FileSymlink, Link: "/etc"},
	} {
		if err := w.File(f); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing is ever written through a link, nor outside.
	for _, f := range []File{
		{Name: "nn/l/passwd", Content: strings.NewReader("evil")},
		{Name: "nn/../evil", Content: strings.NewReader("evil")},
		{Name: "nn/x/y", Content: strings.NewReader("again")},
	} {
		if err := w.File(f); err == nil {
			t.Errorf("%s was written", f.Name)
		}
	}
	w.Abort()
	if _, err := os.Stat(filepath.Dir(dir)); !os.IsNotExist(err) {
		t.Errorf("Abort left the folders it made: %v", err)
	}
	if _, err := NewDirWriter(t.TempDir(), ".."); err == nil {
		t.Error("NewDirWriter accepted ..")
	}
}

// The names a Get hands on stay inside the output, whatever the tree
// holds: local, without "." or ".." or ".git" parts, each once, none under
// another entry's name. lockOutputs never panics on any dvc.lock.
func FuzzOutputNames(f *testing.F) {
	f.Add("models/nn", "w.bin\nsub/x\nlink")
	f.Add("m", "../passwd\nok")
	f.Add("m", "a\na/b")
	f.Add("a/b", "/etc/passwd\n.git/config\n.\n")
	f.Fuzz(func(t *testing.T, p, names string) {
		lockOutputs([]byte(names))
		var entries []store.TreeEntry
		for _, n := range strings.Split(names, "\n") {
			entries = append(entries, store.TreeEntry{Path: p + "/" + n, Mode: store.ModeFile, Type: "blob"})
		}
		files, err := outputFiles(p, entries)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, f := range files {
			if !filepath.IsLocal(f.name) || checkOutputName(f.name) != nil || seen[f.name] {
				t.Fatalf("unsafe name %q accepted (path %q)", f.name, p)
			}
			seen[f.name] = true
		}
		for _, f := range files {
			for dir := filepath.Dir(f.name); dir != "."; dir = filepath.Dir(dir) {
				if seen[dir] {
					t.Fatalf("%q is under the entry %q", f.name, dir)
				}
			}
		}
	})
}
