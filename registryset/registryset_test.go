package registryset_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/registry"
	"github.com/gto-dev/gto/registryset"
)

func TestParseAndValidate(t *testing.T) {
	t.Parallel()
	good := "- name: churn\n  repo: ../churn\n- {name: fraud, repo: 'https://example.com/org/fraud.git'}\n"
	entries, err := registryset.Parse([]byte(good), "gto-registries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := registryset.Validate(entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Name != "churn" || entries[1].Repo != "https://example.com/org/fraud.git" || entries[1].Line != 3 {
		t.Fatalf("entries = %+v", entries)
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"empty", "# nothing\n", "f.yaml is empty"},
		{"not a list", "name: a\nrepo: b\n", "f.yaml: line 1: a registry set is a list of {name, repo}, not a mapping"},
		{"item not a mapping", "- churn\n", "f.yaml: line 1: each registry is a mapping with name and repo, not \"churn\""},
		{"unknown key", "- {name: a, repo: b, url: c}\n", `f.yaml: line 1: unknown key "url": a registry has only name and repo`},
		{"key twice", "- {name: a, repo: b, repo: c}\n", "is given twice"},
		{"no name", "- {repo: b}\n", "f.yaml: line 1: a registry has no name"},
		{"no repo", "- {name: a}\n", `f.yaml: line 1: the registry "a" has no repo`},
		{"list value", "- {name: [a], repo: b}\n", "f.yaml: line 1: name must be a string, not a list"},
		{"bad yaml", "- {name: a\n", "f.yaml: line"},
	} {
		_, err := registryset.Parse([]byte(c.yaml), "f.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	for _, c := range []struct {
		name    string
		entries []registryset.Entry
		want    string
	}{
		{"none", nil, "a registry set needs at least one repository"},
		{"duplicate", []registryset.Entry{{Name: "a", Repo: "x", Line: 1}, {Name: "A", Repo: "y", Line: 3}}, `line 3: the registry name "A" is given twice (first on line 1)`},
		{"duplicate flags", []registryset.Entry{{Name: "a", Repo: "x"}, {Name: "a", Repo: "y"}}, `the registry name "a" is given twice`},
		{"empty repo", []registryset.Entry{{Name: "a", Repo: " ", Line: 2}}, `line 2: the registry "a" has no repository: give a path or a URL`},
		{"bad name", []registryset.Entry{{Name: "a/b", Repo: "x"}}, `invalid registry name "a/b"`},
		{"dot name", []registryset.Entry{{Name: "..", Repo: "x"}}, `invalid registry name ".."`},
		{"empty name", []registryset.Entry{{Repo: "x"}}, "a registry needs a name"},
		{"long name", []registryset.Entry{{Name: strings.Repeat("a", 101), Repo: "x"}}, "is too long"},
		{"control", []registryset.Entry{{Name: "a", Repo: "x\ny"}}, "holds a control character"},
	} {
		err := registryset.Validate(c.entries)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), "--") || strings.Contains(err.Error(), "\n")) {
			t.Errorf("%s: %q names a flag or spans lines", c.name, err)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, registryset.FileName)
	os.WriteFile(file, []byte("- {name: a, repo: repos/a}\n- {name: b, repo: /abs/b}\n- {name: c, repo: 'file:///srv/c.git'}\n"), 0o644)
	entries, err := registryset.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := entries[0].Repo; got != filepath.Join(dir, "repos/a") {
		t.Errorf("relative repo = %q", got)
	}
	if entries[1].Repo != "/abs/b" || entries[2].Repo != "file:///srv/c.git" {
		t.Errorf("entries = %+v", entries)
	}
	os.WriteFile(file, []byte("- {name: a, repo: x}\n- {name: a, repo: y}\n"), 0o644)
	if _, err := registryset.Load(file); err == nil || !strings.Contains(err.Error(), file+`: line 2: the registry name "a" is given twice`) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := registryset.Load(filepath.Join(dir, "missing.yaml")); err == nil || err.Error() != "the registry set file "+filepath.Join(dir, "missing.yaml")+" does not exist" {
		t.Errorf("missing: %v", err)
	}
	if _, err := registryset.Load(dir); err == nil || !strings.Contains(err.Error(), "is a folder, not a file") {
		t.Errorf("folder: %v", err)
	}
	if os.Getuid() != 0 {
		os.WriteFile(file, []byte("- {name: a, repo: b}\n"), 0o000)
		if _, err := registryset.Load(file); err == nil || err.Error() != "cannot read the registry set file "+file+": permission denied" {
			t.Errorf("unreadable: %v", err)
		}
		os.Chmod(file, 0o644)
	}
	os.WriteFile(file, make([]byte, registryset.MaxFileSize+1), 0o644)
	if _, err := registryset.Load(file); err == nil || !strings.Contains(err.Error(), "is too large") {
		t.Errorf("large: %v", err)
	}
}

func TestParseRepo(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]registryset.Entry{
		"churn=../models":                     {Name: "churn", Repo: "../models"},
		"/srv/git/fraud.git":                  {Name: "fraud", Repo: "/srv/git/fraud.git"},
		"https://github.com/org/churn.git":    {Name: "churn", Repo: "https://github.com/org/churn.git"},
		"git@github.com:org/nlp.git":          {Name: "nlp", Repo: "git@github.com:org/nlp.git"},
		"file:///tmp/a=b/models/":             {Name: "models", Repo: "file:///tmp/a=b/models/"},
		"x=https://example.com/r.git?a=b":     {Name: "x", Repo: "https://example.com/r.git?a=b"},
		"ml-models.v2=git@host:ml/models.git": {Name: "ml-models.v2", Repo: "git@host:ml/models.git"},
	} {
		got, err := registryset.ParseRepo(in)
		if err != nil || got != want {
			t.Errorf("ParseRepo(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if _, err := registryset.ParseRepo(""); err == nil || err.Error() != "a repository of a registry set cannot be empty" {
		t.Errorf("empty: %v", err)
	}
	if _, err := registryset.ParseRepo("/srv/mod els"); err == nil || !strings.Contains(err.Error(), "give it as NAME=REPO") {
		t.Errorf("unnamable: %v", err)
	}
}

// tagged is a repository with two artifacts and a few tags.
var tagged = gittest.NewFixture(func(t testing.TB, g *gittest.Repo) string {
	c := g.Commit("init", map[string]string{"artifacts.yaml": "churn:\n  type: model\n"})
	g.Tag("churn@v1.0.0", c, "r")
	g.Tag("churn#prod#1", c, "a")
	g.Tag("fraud@v0.1.0", c, "r")
	return c
})

// setOf is the set of one member, m, the repository g.
func setOf(t *testing.T, g *gittest.Repo) *registryset.Set {
	t.Helper()
	set, err := registryset.New([]registryset.Entry{{Name: "m", Repo: g.Dir}}, registryset.Options{Registry: registry.Options{GitEnv: g.Env()}})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// oneMember is the set of one member, m, a copy of tagged.
func oneMember(t *testing.T) *registryset.Set {
	t.Helper()
	g, _ := tagged.Copy(t)
	return setOf(t, g)
}

func TestMain(m *testing.M) {
	code := m.Run()
	gittest.RemoveFixtures()
	os.Exit(code)
}

// TestSetOfFive is the set of the issue: three local repositories and two
// file:// ones, one of which cannot be fetched. The broken one is stale
// with its error; the others are read.
func TestSetOfFive(t *testing.T) {
	t.Parallel()
	var entries []registryset.Entry
	var env []string
	for i, name := range []string{"a", "b", "c"} {
		g, _ := tagged.Copy(t)
		if i == 2 {
			g.Tag("c-only@v2.0.0", "HEAD", "r")
		}
		env = g.Env()
		entries = append(entries, registryset.Entry{Name: name, Repo: g.Dir})
	}
	bare := gittest.NewBare(t)
	src, _ := tagged.Copy(t)
	src.Git("push", "--quiet", bare.Dir, "main", "--tags")
	entries = append(entries,
		registryset.Entry{Name: "remote", Repo: "file://" + bare.Dir},
		registryset.Entry{Name: "broken", Repo: "file://" + filepath.Join(t.TempDir(), "gone.git")})
	set, err := registryset.New(entries, registryset.Options{
		Registry: registry.Options{GitEnv: env, CacheDir: t.TempDir()},
		Parallel: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	res := set.Refresh(context.Background())
	if len(res) != 5 {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		st := r.Member.State()
		if r.Member.Name == "broken" {
			if r.Err == nil || !st.Stale() || st.Snapshot != nil || st.Err != r.Err {
				t.Errorf("broken: %+v %+v", r, st)
			}
			continue
		}
		if r.Err != nil || !r.Changed || st.Stale() || st.Snapshot == nil || st.Fingerprint == "" {
			t.Errorf("%s: %+v, state %+v", r.Member.Name, r, st)
		}
	}
	if set.Member("c").State().Snapshot.State.Artifact("c-only") == nil || set.Member("a").State().Snapshot.State.Artifact("c-only") != nil {
		t.Error("members share a snapshot")
	}
	if !set.Member("remote").Remote || set.Member("a").Remote {
		t.Error("Remote flag")
	}
	if set.Member("nope") != nil || len(set.Members()) != 5 {
		t.Error("lookup")
	}
	// Nothing is due right after: a second Refresh checks nothing; RefreshAll
	// checks everything, and nothing changed.
	if res := set.Refresh(context.Background()); len(res) != 0 {
		t.Errorf("not due, yet refreshed %d", len(res))
	}
	for _, r := range set.RefreshAll(context.Background()) {
		if r.Changed {
			t.Errorf("%s changed", r.Member.Name)
		}
	}
	// RefreshAllEach hands on each member's result as it ends: once each.
	var mu sync.Mutex
	seen := map[string]int{}
	all := set.RefreshAllEach(context.Background(), func(r registryset.Result) {
		mu.Lock()
		defer mu.Unlock()
		seen[r.Member.Name]++
		if (r.Err != nil) != (r.Member.Name == "broken") {
			t.Errorf("RefreshAllEach handed on %s with %v", r.Member.Name, r.Err)
		}
	})
	if len(all) != 5 || len(seen) != 5 {
		t.Errorf("RefreshAllEach: %d results, handed on %v", len(all), seen)
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s handed on %d times", name, n)
		}
	}
}

// A member that was read and then breaks keeps its snapshot, stale with
// the error, and recovers when the repository is back.
func TestMemberStaleKeepsSnapshot(t *testing.T) {
	t.Parallel()
	g, _ := tagged.Copy(t)
	m := setOf(t, g).Member("m")
	ctx := context.Background()
	if _, err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap := m.State().Snapshot
	moved := g.Dir + ".moved"
	if err := os.Rename(g.Dir, moved); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(moved) })
	if _, err := m.Refresh(ctx); err == nil {
		t.Fatal("no error for a missing repository")
	}
	st := m.State()
	if !st.Stale() || st.Snapshot != snap {
		t.Errorf("after failure: stale %v, same snapshot %v", st.Stale(), st.Snapshot == snap)
	}
	os.Rename(moved, g.Dir)
	changed, err := m.Refresh(ctx)
	if err != nil || changed || m.State().Stale() {
		t.Errorf("recovered: changed %v, err %v", changed, err)
	}
	if _, err := registryset.New(nil, registryset.Options{}); err == nil {
		t.Error("an empty set is accepted")
	}
}

// Refresh stops when its context is done; the members are then not
// marked stale (the failure is not theirs).
func TestRefreshCancelled(t *testing.T) {
	t.Parallel()
	set := oneMember(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range set.Refresh(ctx) {
		if r.Err == nil {
			t.Error("no error after cancel")
		}
	}
	if set.Member("m").State().Stale() {
		t.Error("a cancelled refresh made the member stale")
	}
}

// Run checks the due members on every tick and reports each tick's
// results until its context is done.
func TestRun(t *testing.T) {
	t.Parallel()
	set := oneMember(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := make(chan []registryset.Result, 1)
	done := make(chan struct{})
	go func() {
		set.Run(ctx, time.Millisecond, func(r []registryset.Result) {
			select {
			case reports <- r:
			default:
			}
		})
		close(done)
	}()
	first := <-reports // the first tick: the member was never checked
	if len(first) != 1 || !first[0].Changed || first[0].Err != nil {
		t.Errorf("first tick: %+v", first)
	}
	cancel()
	<-done
	if set.Member("m").State().Snapshot == nil {
		t.Error("Run read nothing")
	}
}
