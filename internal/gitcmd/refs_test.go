package gitcmd

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestListTags(t *testing.T) {
	t.Parallel()
	g, r, commit := oddRegistry(t)
	tags, err := r.ListTags(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	var names []string
	for _, tag := range tags {
		types[tag.Name] = tag.Type
		names = append(names, tag.Name)
		if want := g.Git("rev-parse", "refs/tags/"+tag.Name); tag.Object != want {
			t.Errorf("%s: Object %s, want %s", tag.Name, tag.Object, want)
		}
	}
	wantNames := []string{"a#b!#3", "dir/sub=m@v1.0.0", "light", "on-blob", "on-tree", "tag-of-tag", "x#prod#1", "x@v1.0.0+build.1", "x@v1.0.1", "модель@v1.0.0"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("names = %q, want %q", names, wantNames)
	}
	for name, typ := range map[string]string{"light": "commit", "a#b!#3": "tag", "on-tree": "tag", "модель@v1.0.0": "tag"} {
		if types[name] != typ {
			t.Errorf("%s: Type %q, want %q", name, types[name], typ)
		}
	}
	if light := tags[slices.Index(names, "light")]; light.Object != commit {
		t.Errorf("lightweight tag points at %s, want the commit %s", light.Object, commit)
	}
}

func TestListTagsPatterns(t *testing.T) {
	t.Parallel()
	_, r, _ := oddRegistry(t)
	tests := []struct {
		patterns []string
		want     []string
	}{
		{[]string{"x@*"}, []string{"x@v1.0.0+build.1", "x@v1.0.1"}},
		{[]string{"x@*", "x#*"}, []string{"x#prod#1", "x@v1.0.0+build.1", "x@v1.0.1"}},
		{[]string{"dir/sub=m@*"}, []string{"dir/sub=m@v1.0.0"}},
		{[]string{"dir"}, []string{"dir/sub=m@v1.0.0"}}, // a literal prefix up to "/"
		{[]string{"*"}, []string{"a#b!#3", "light", "on-blob", "on-tree", "tag-of-tag", "x#prod#1", "x@v1.0.0+build.1", "x@v1.0.1", "модель@v1.0.0"}},
		{[]string{"модель@*"}, []string{"модель@v1.0.0"}},
		{[]string{EscapePattern("a#b!") + "*"}, []string{"a#b!#3"}},
		{[]string{"nothing@*"}, nil},
	}
	for _, tt := range tests {
		tags, err := r.ListTags(t.Context(), tt.patterns...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tag := range tags {
			got = append(got, tag.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListTags(%q) = %q, want %q", tt.patterns, got, tt.want)
		}
	}
}

func TestEscapePattern(t *testing.T) {
	t.Parallel()
	if got, want := EscapePattern(`a*b?c[d]\e#f`), `a\*b\?c\[d]\\e#f`; got != want {
		t.Errorf("EscapePattern = %q, want %q", got, want)
	}
}

// Revisions are resolved through the cat-file process (Batch.ResolveCommit):
// what a user may pass as a ref, with the messages they get.
func TestResolveCommit(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	b := openBatch(t, r)
	first := g.Commit("first", nil)
	second := g.Commit("second", nil)
	g.Git("branch", "feature", first)
	g.Tag("m@v1.0.0", first, "annotated")
	g.LightTag("light", second)
	g.Tag("tag-of-tag", "m@v1.0.0", "chained")
	g.Git("update-ref", "refs/heads/-dash", first) // a ref git tag/branch refuse, but which may exist

	tests := []struct{ rev, want string }{
		{"HEAD", second},
		{"HEAD~1", first},
		{"main", second},
		{"feature", first},
		{second[:7], second},
		{"m@v1.0.0", first},
		{"light", second},
		{"tag-of-tag", first},
		{"-dash", first},
		{first, first},
	}
	for _, tt := range tests {
		got, err := b.ResolveCommit(tt.rev)
		if err != nil || got != tt.want {
			t.Errorf("ResolveCommit(%q) = %q, %v; want %q", tt.rev, got, err, tt.want)
		}
	}
	for _, rev := range []string{"nope", "--git-dir=/", "-h", "HEAD~5", "m@v9", first + ":nofile", "with\nnewline", ""} {
		_, err := b.ResolveCommit(rev)
		mustErrIs(t, err, ErrRefNotFound)
		if want := fmt.Sprintf("ref %q was not found in the repository", rev); err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
	}
	// A tree is not a commit.
	g.Tag("on-tree", second+"^{tree}", "tree")
	_, err := b.ResolveCommit("on-tree")
	mustErrIs(t, err, ErrRefNotFound)
}

func TestBranchesAndAllCommits(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	c1 := g.Commit("one", nil)
	c2 := g.Commit("two", nil)
	g.Git("checkout", "--quiet", "-b", "feature", c1)
	c3 := g.Commit("three", nil)
	g.Git("branch", "same-as-main", "main")

	tips, err := r.Branches(t.Context())
	if want := []string{c3, c2}; err != nil || !slices.Equal(tips, want) {
		t.Errorf("Branches = %v, %v; want %v (feature, main; duplicates dropped)", tips, err, want)
	}
	all, err := r.AllCommits(t.Context())
	slices.Sort(all)
	want := []string{c1, c2, c3}
	slices.Sort(want)
	if err != nil || !reflect.DeepEqual(all, want) {
		t.Errorf("AllCommits = %v, %v; want %v", all, err, want)
	}
}

func TestTagExists(t *testing.T) {
	t.Parallel()
	g, r, c := committedRepo(t)
	g.Tag("m@v1.0.0", c, "x")
	g.LightTag("light", c)
	g.Tag("dir/sub@v1", c, "x")
	for name, want := range map[string]bool{
		"m@v1.0.0": true, "light": true, "dir/sub@v1": true,
		"m@v1.0.1": false, "m@*": false, "dir": false, "dir/sub": false, "": false,
		"m@v1.0.0^{}": false, "-x": false,
	} {
		got, err := r.TagExists(t.Context(), name)
		if err != nil || got != want {
			t.Errorf("TagExists(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
}

func TestCurrentBranch(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	if b, err := r.CurrentBranch(t.Context()); err != nil || b != "main" {
		t.Errorf("unborn branch: CurrentBranch = %q, %v; want main", b, err)
	}
	c := g.Commit("one", nil)
	g.Git("checkout", "--quiet", "-b", "feature/x")
	if b, err := r.CurrentBranch(t.Context()); err != nil || b != "feature/x" {
		t.Errorf("CurrentBranch = %q, %v; want feature/x", b, err)
	}
	g.Git("checkout", "--quiet", "--detach", c)
	if b, err := r.CurrentBranch(t.Context()); err != nil || b != "" {
		t.Errorf("detached HEAD: CurrentBranch = %q, %v; want \"\"", b, err)
	}
}
func TestParseTagRefs(t *testing.T) {
	t.Parallel()
	id := func(t TagRef) TagRef { return t }
	got, err := parseTagRefs([]byte("refs/tags/m@v1\x00aa\x00tag\nrefs/tags/n\x00bb\x00commit\n"), id)
	want := []TagRef{{Name: "m@v1", Object: "aa", Type: "tag"}, {Name: "n", Object: "bb", Type: "commit"}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("parseTagRefs = %+v, %v; want %+v", got, err, want)
	}
	if got, err := parseTagRefs([]byte{}, id); err != nil || len(got) != 0 {
		t.Errorf("no output: %+v, %v", got, err)
	}
	for _, bad := range []string{
		"refs/tags/m\x00aa\n",             // a field missing
		"refs/tags/m\x00aa\x00tag\x00x\n", // one too many
		"refs/heads/m\x00aa\x00commit\n",  // not a tag
		"refs/tags/m aa tag\n",            // not NUL-separated
	} {
		if _, err := parseTagRefs([]byte(bad), id); err == nil || !strings.Contains(err.Error(), "unexpected output") {
			t.Errorf("parseTagRefs(%q) = %v, want an unexpected-output error", bad, err)
		}
	}
}
