package gitcmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// forEachRef is what git lists for prefixes: full names and ids.
func forEachRef(t *testing.T, g *gittest.Repo, prefixes ...string) []refLine {
	t.Helper()
	var refs []refLine
	out := g.Git(append([]string{"for-each-ref", "--format=%(refname) %(objectname)", "--end-of-options"}, prefixes...)...)
	for line := range strings.Lines(out) {
		name, id, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		refs = append(refs, refLine{name, id})
	}
	return refs
}

// TestRefsByPrefixAsGit: the refs read from the files are those
// for-each-ref lists, loose, packed, shadowed, under folders, with lock
// files and other artifacts' tags beside them.
func TestRefsByPrefixAsGit(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	if !r.plainRefs {
		t.Fatal("a plain repository found without git: plainRefs is false")
	}
	for _, name := range []string{"a@v0.0.1", "a@v0.0.2", "a#prod#1", "ab@v0.0.1", "b@v0.0.1", "dir/a@v0.0.1", "a@x/y/z", "a@deprecated"} {
		g.Tag(name, commit, "m "+name)
	}
	g.LightTag("a#dev#2", commit)
	g.Git("pack-refs", "--all")
	g.Tag("a@v0.0.3", commit, "loose after packing")
	g.Tag("dir/a#dev#1", commit, "loose under a folder")
	g.Git("tag", "-f", "-a", "-m", "moved", "a@v0.0.1", commit) // loose, shadowing the packed one
	lock := filepath.Join(r.GitDir(), "refs", "tags", "a@v9.9.9.lock")
	if err := os.WriteFile(lock, []byte(strings.Repeat("1", 40)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, prefixes := range [][]string{
		{"refs/tags/a@", "refs/tags/a#"}, {"refs/tags/a"}, {"refs/tags/dir/a@", "refs/tags/dir/a#"},
		{"refs/tags/"}, {"refs/heads/"}, {"refs/tags/none@"}, {"refs/tags/nodir/x@"},
	} {
		got, ok := r.refsByPrefix(nil, 0, prefixes...)
		if !ok {
			t.Fatalf("refsByPrefix(%q): not ok", prefixes)
		}
		var patterns []string
		for _, p := range prefixes {
			if strings.HasSuffix(p, "/") {
				patterns = append(patterns, p)
			} else {
				patterns = append(patterns, p+"*", p+"*/**")
			}
		}
		if want := forEachRef(t, g, patterns...); !slices.Equal(got, want) {
			t.Errorf("refsByPrefix(%q) =\n%v\nfor-each-ref:\n%v", prefixes, got, want)
		}
	}
}

// TestRefsByPrefixLeavesOddCasesToGit: whatever git could read otherwise
// makes refsByPrefix decline, and the commands ask git.
func TestRefsByPrefixLeavesOddCasesToGit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, g *gittest.Repo, r *Repo, commit string)
	}{
		{"symbolic loose ref", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			g.Git("symbolic-ref", "refs/tags/a@v0.0.9", "refs/heads/main")
		}},
		{"malformed loose ref", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			writeRef(t, r, "refs/tags/a@v0.0.9", "not an id\n")
		}},
		{"null id", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			writeRef(t, r, "refs/tags/a@v0.0.9", strings.Repeat("0", 40)+"\n")
		}},
		{"name git refuses", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			writeRef(t, r, "refs/tags/a@v0..9", commit+"\n")
		}},
		{"malformed packed-refs", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			writeRef(t, r, "packed-refs", "# pack-refs with: peeled fully-peeled \nxyz refs/tags/a@v0.0.9\n")
		}},
		{"symbolic link", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			if err := os.Symlink("a@v0.0.1", filepath.Join(r.GitDir(), "refs", "tags", "a@v0.0.9")); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, r, commit := committedRepo(t)
			g.Tag("a@v0.0.1", commit, "m")
			tc.spoil(t, g, r, commit)
			if refs, ok := r.refsByPrefix(nil, 0, "refs/tags/a@"); ok {
				t.Errorf("refsByPrefix read %v, want it to leave the case to git", refs)
			}
			// and the Batch falls back to for-each-ref: what git lists, or
			// git's error
			recs, err := openBatch(t, r).ReadTagPrefixes(context.Background(), func(string) bool { return true }, "a@")
			if tc.name == "malformed packed-refs" {
				if err == nil || !strings.Contains(err.Error(), "packed-refs") {
					t.Errorf("ReadTagPrefixes: %v, want git's error about packed-refs", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, rec := range recs {
				names = append(names, "refs/tags/"+rec.Name)
			}
			var want []string
			for _, ref := range forEachRef(t, g, "refs/tags/a@*", "refs/tags/a@*/**") {
				want = append(want, ref.name)
			}
			if !slices.Equal(names, want) {
				t.Errorf("ReadTagPrefixes = %q, for-each-ref %q", names, want)
			}
		})
	}
	t.Run("reftable configured", func(t *testing.T) {
		t.Parallel()
		g, _, _ := committedRepo(t)
		g.Git("config", "extensions.refStorage", "reftable")
		if r := openTest(t, g, g.Dir); r.plainRefs {
			t.Error("extensions.refStorage=reftable: plainRefs is true")
		}
	})
}

func writeRef(t *testing.T, r *Repo, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(r.GitDir(), filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPackedSearch finds each prefix's block in a sorted packed-refs body
// with peeled lines, as a scan of the whole file does.
func TestPackedSearch(t *testing.T) {
	t.Parallel()
	var body strings.Builder
	var names []string
	for i := range 40 {
		name := fmt.Sprintf("refs/tags/m%02d@v0.0.%d", i/4, i%4)
		names = append(names, name)
		fmt.Fprintf(&body, "%040x %s\n", i+1, name)
		if i%3 == 0 {
			fmt.Fprintf(&body, "^%040x\n", i+100)
		}
	}
	file := filepath.Join(t.TempDir(), "packed-refs")
	for _, header := range []string{"# pack-refs with: peeled fully-peeled sorted \n", "# pack-refs with: peeled \n", ""} {
		if err := os.WriteFile(file, []byte(header+body.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{"refs/tags/m00@", "refs/tags/m05@", "refs/tags/m09@", "refs/tags/m03@v0.0.2", "refs/tags/a", "refs/tags/z", "refs/tags/"} {
			got, ok := packedRefs(file, []string{prefix})
			if !ok {
				t.Fatalf("packedRefs(%q): not ok", prefix)
			}
			var gotNames, want []string
			for _, ref := range got {
				gotNames = append(gotNames, ref.name)
			}
			for _, n := range names {
				if strings.HasPrefix(n, prefix) {
					want = append(want, n)
				}
			}
			if !slices.Equal(gotNames, want) {
				t.Errorf("header %q, prefix %q: %q, want %q", header, prefix, gotNames, want)
			}
		}
	}
}

// TestBranchesFromFiles: Branches reads the branch tips from the files as
// for-each-ref does, packed and loose.
func TestBranchesFromFiles(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	g.Git("branch", "b1", commit)
	g.Git("pack-refs", "--all")
	second := g.Commit("second", map[string]string{"x": "1"})
	g.Git("branch", "z/b2", second)
	tips, err := r.Branches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ref := range forEachRef(t, g, "refs/heads/") {
		if !slices.Contains(want, ref.id) {
			want = append(want, ref.id)
		}
	}
	if !slices.Equal(tips, want) {
		t.Errorf("Branches = %q, for-each-ref %q", tips, want)
	}
}

// TestLooseTags counts the loose tag files, under folders too, and none
// once packed.
func TestLooseTags(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	for _, name := range []string{"a@v0.0.1", "dir/a@v0.0.1", "dir/sub/b#prod#1"} {
		g.Tag(name, commit, "m")
	}
	writeRef(t, r, "refs/tags/c@v1.0.0.lock", commit+"\n")
	g.Git("branch", "other", commit) // not a tag
	if n, err := r.LooseTags(); n != 3 || err != nil {
		t.Errorf("LooseTags = %d, %v; want 3", n, err)
	}
	g.Git("pack-refs")
	if n, err := r.LooseTags(); n != 0 || err != nil {
		t.Errorf("after pack-refs: LooseTags = %d, %v; want 0", n, err)
	}
}

// TestReadAllTagsFromFiles: every tag read from the ref files is what
// for-each-ref gives, and past maxLoose loose files refsByPrefix declines.
func TestReadAllTagsFromFiles(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	for _, name := range []string{"a@v0.0.1", "a#prod#1", "dir/b@v0.0.1"} {
		g.Tag(name, commit, "m "+name)
	}
	g.Git("pack-refs")
	g.Tag("a@v0.0.2", commit, "loose")
	g.LightTag("c@v0.0.1", commit)
	b := openBatch(t, r)
	all := func(string) bool { return true }
	direct, err := b.ReadTagPrefixes(t.Context(), all)
	if err != nil {
		t.Fatal(err)
	}
	viaGit, err := b.ReadTags(t.Context(), all)
	if err != nil {
		t.Fatal(err)
	}
	brief := func(recs []TagRecord) (out []string) {
		for _, rec := range recs {
			msg := ""
			if rec.Tag != nil {
				msg = rec.Tag.Message
			}
			out = append(out, rec.Name+" "+rec.Object+" "+rec.Type+" "+msg)
		}
		return out
	}
	if len(direct) != 5 || !slices.Equal(brief(direct), brief(viaGit)) {
		t.Errorf("from the files:\n%q\nfrom for-each-ref:\n%q", brief(direct), brief(viaGit))
	}
	if refs, ok := r.refsByPrefix(nil, 4, "refs/tags/"); !ok || len(refs) != 5 {
		t.Errorf("refsByPrefix(nil, 4) = %v, %v; want the 5 tags (2 loose, 3 packed)", refs, ok)
	}
	if _, ok := r.refsByPrefix(nil, 1, "refs/tags/"); ok {
		t.Error("refsByPrefix(nil, 1) read the 2 loose tags, beyond its limit")
	}
	g.Git("pack-refs")
	if _, ok := r.refsByPrefix(nil, 3, "refs/tags/"); ok {
		t.Error("refsByPrefix(nil, 3) read a packed-refs file of 5 tags, beyond its limit")
	}
	if refs, ok := r.refsByPrefix(nil, 6, "refs/tags/"); !ok || len(refs) != 5 {
		t.Errorf("refsByPrefix(nil, 6) = %v, %v; want the 5 packed tags", refs, ok)
	}
}

// TestPackedRefsMapped: the mapped packed-refs gives what was in the file
// at the call, an empty or missing file no refs, a last line without its
// newline its ref; the names and ids outlive the mapping and a new file
// renamed over the old one, as git writes it.
func TestPackedRefsMapped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "packed-refs")
	for _, tc := range []struct{ content, want string }{
		{"", ""},
		{"# pack-refs with: peeled fully-peeled sorted \n", ""},
		{"# pack-refs with: peeled fully-peeled sorted \n" + strings.Repeat("1", 40) + " refs/tags/a@v1\n^" + strings.Repeat("2", 40) + "\n" + strings.Repeat("3", 40) + " refs/tags/b@v1", "refs/tags/a@v1=" + strings.Repeat("1", 40)},
	} {
		if err := os.WriteFile(file+".new", []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".new", file); err != nil {
			t.Fatal(err)
		}
		refs, ok := packedRefs(file, []string{"refs/tags/a@"})
		if !ok {
			t.Fatalf("%q: not ok", tc.content)
		}
		if err := os.WriteFile(file+".new", []byte("replaced"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".new", file); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range refs {
			got = append(got, r.name+"="+r.id)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q: %q, want %q", tc.content, got, tc.want)
		}
	}
	if refs, ok := packedRefs(filepath.Join(dir, "missing"), []string{"refs/tags/"}); !ok || len(refs) != 0 {
		t.Errorf("missing file: %v, %v; want none, ok", refs, ok)
	}
	if refs, ok := packedRefs(file, []string{"refs/tags/b@"}); ok {
		t.Errorf("a file git does not understand: %v, ok; want not ok", refs)
	}
}
