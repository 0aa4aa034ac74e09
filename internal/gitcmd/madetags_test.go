package gitcmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// withEnv opens g with env in place of its environment.
func withEnv(t *testing.T, g *gittest.Repo, env []string) *Repo {
	t.Helper()
	c, err := OpenWith(context.Background(), g.Dir, Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// envWithout is g's environment without the variables named.
func envWithout(g *gittest.Repo, names ...string) []string {
	return slices.DeleteFunc(g.Env(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(names, k)
	})
}

// gitTagObject is the tag object id as git shows it, read without cache.
func gitTagObject(t *testing.T, r *Repo, name, id string) TagObject {
	t.Helper()
	c := *r
	c.NoObjectCache = true
	b := openBatch(t, &c)
	recs, err := b.ReadTagObjects(context.Background(), []TagRef{{Name: name, Object: id}})
	if err != nil || len(recs) != 1 || recs[0].Tag == nil {
		t.Fatalf("reading tag %s: %v %+v", name, err, recs)
	}
	return *recs[0].Tag
}

// cachedTag is the tag object id as a new batch's object cache has it.
func cachedTag(t *testing.T, r *Repo, id string) (TagObject, bool) {
	t.Helper()
	b := openBatch(t, r)
	var got TagObject
	ok := b.cache.tagInto([]byte(id), &got)
	return got, ok
}

// TestRememberMadeTags: a tag just written is in the object cache
// exactly as git would read it when its bytes could be told (the
// identity from the environment, or learned from the tag read back while
// cat-file ran), and is not when they could not (a guess git did not
// make, a date gto does not parse, a tag to be signed, an object made
// elsewhere); telling never starts cat-file.
func TestRememberMadeTags(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	g.Git("config", "user.name", "Config User")
	g.Git("config", "user.email", "config@example.com")
	noIdent := envWithout(g, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")
	wrongIdent := append(g.Env(), "GIT_COMMITTER_NAME=Someone Else")
	yes := true
	for i, tc := range []struct {
		name      string
		req       TagRequest
		writeEnv  []string // the environment git tags with (nil: g's)
		readEnv   []string // the environment of the batch that remembers
		running   bool     // cat-file runs when the tag is remembered
		remembers bool
	}{
		{name: "the registry's date", req: TagRequest{Message: "Registering artifact m version v1", Date: "1700000000 +0130"}, remembers: true},
		{name: "the date from the environment", req: TagRequest{Message: "from the environment"}, remembers: true},
		{name: "git's clean-up", req: TagRequest{Message: "\n  \nfirst line  \n# a comment\n\n\n\tsecond\t\r\n\n# end\n", Date: "@1700000000 -0800"}, remembers: true},
		{name: "a date gto does not parse", req: TagRequest{Message: "m", Date: "2023-11-14T22:13:20Z"}},
		{name: "no identity, cat-file not running", req: TagRequest{Message: "m", Date: "1700000000 +0000"}, writeEnv: noIdent, readEnv: noIdent},
		{name: "another identity than git's", req: TagRequest{Message: "m", Date: "1700000000 +0000"}, readEnv: wrongIdent},
		{name: "to be signed", req: TagRequest{Message: "m", Date: "1700000000 +0000", Sign: &yes}},
		{name: "made elsewhere", req: TagRequest{Message: "m", Date: "1700000000 +0000", Object: "made"}, running: true},
		{name: "no identity, cat-file running", req: TagRequest{Message: "m", Date: "1700000000 +0000"}, writeEnv: noIdent, readEnv: noIdent, running: true, remembers: true},
		// the identity read back by the case before is the guess now
		{name: "no identity, learned", req: TagRequest{Message: "learned", Date: "1700000001 +0000"}, writeEnv: noIdent, readEnv: noIdent, remembers: true},
	} {
		req := tc.req
		req.Name, req.Target = "m@v0.0."+string(rune('a'+i)), commit
		writer, reader := r, r
		if tc.writeEnv != nil {
			writer = withEnv(t, g, tc.writeEnv)
		}
		if tc.readEnv != nil {
			reader = withEnv(t, g, tc.readEnv)
		}
		create := req
		create.Sign, create.Object = nil, ""
		if err := writer.CreateTag(context.Background(), create); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		id, _ := r.refFromFiles("refs/tags/" + req.Name)
		b := openBatch(t, reader)
		if tc.running {
			if _, err := b.ResolveCommit(commit); err != nil {
				t.Fatal(err)
			}
		}
		b.RememberMadeTags([]TagRequest{req})
		if started := b.contents.begun.Load(); started != tc.running {
			t.Errorf("%s: cat-file started %v", tc.name, started)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		got, ok := cachedTag(t, r, id)
		if ok != tc.remembers {
			t.Errorf("%s: in the cache %v, want %v", tc.name, ok, tc.remembers)
			continue
		}
		if want := gitTagObject(t, r, req.Name, id); ok && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cached\n%+v\ngit reads\n%+v", tc.name, got, want)
		}
	}
}

// TestRememberMadeTagsArtifactMemo: the tag of the artifact a write read
// goes into the one-artifact memo too, so that the next write of that
// artifact, which reads only the memo, asks cat-file nothing.
func TestRememberMadeTagsArtifactMemo(t *testing.T) {
	t.Parallel()
	_, r, commit := committedRepo(t)
	read := func() (recs []TagRecord, started bool) {
		t.Helper()
		b := openBatch(t, r)
		defer b.Close()
		recs, err := b.ReadTagPrefixes(context.Background(), func(string) bool { return true }, "m@", "m#")
		if err != nil {
			t.Fatal(err)
		}
		return recs, b.contents.begun.Load()
	}
	for i, name := range []string{"m@v0.0.1", "m#prod#2", "other@v0.0.1"} {
		b := openBatch(t, r)
		if _, err := b.ReadTagPrefixes(context.Background(), func(string) bool { return true }, "m@", "m#"); err != nil {
			t.Fatal(err)
		}
		req := TagRequest{Name: name, Target: commit, Message: "m", Date: "1700000000 +0000"}
		if err := r.CreateTag(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		b.RememberMadeTags([]TagRequest{req})
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		recs, started := read()
		if want := min(i+1, 2); len(recs) != want || started {
			t.Errorf("after %s: %d tags of m, cat-file started %v; want %d, not started", name, len(recs), started, want)
		}
	}
}

// TestStripSpaceAsGit: the clean-up of a message is git's own (git
// stripspace --strip-comments, which git tag applies).
func TestStripSpaceAsGit(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	for _, msg := range []string{
		"", "one", "one\n", "one\n\n", "\n\none", "a\n\n\n\nb", "a  \t\nb \r\n", "# only a comment",
		"a\n# comment\nb", " # not a comment", "a\n \n\t\nb\n\n", "trailing\\ \n", "x\n\n# c\n\ny",
		"Registering artifact model version v1.0.0",
	} {
		want := g.GitInput(msg, "stripspace", "--strip-comments") // without its last newline
		if want != "" {
			want += "\n"
		}
		if got := stripSpace(msg); got != want {
			t.Errorf("stripSpace(%q) = %q, git %q", msg, got, want)
		}
	}
}

func TestRawDate(t *testing.T) {
	t.Parallel()
	for date, want := range map[string][2]string{
		"1700000000 +0000":     {"1700000000", "+0000"},
		"@1700000000 -0530":    {"1700000000", "-0530"},
		"0 +0000":              {"0", "+0000"},
		"1700000000":           {},
		"1700000000 +00":       {},
		"1700000000 0000":      {},
		"01700000000 +0000":    {}, // git writes no leading zero
		"17e8 +0000":           {},
		"2023-11-14T22:13:20Z": {},
		"99999999999999 +0000": {}, // past year 9999
		"":                     {},
	} {
		stamp, zone, ok := rawDate(date)
		if ok != (want[0] != "") || stamp != want[0] || zone != want[1] {
			t.Errorf("rawDate(%q) = %q, %q, %v; want %q", date, stamp, zone, ok, want)
		}
	}
}

// TestMadeTagsNeedTheirObject: a made tag is found only while its loose
// object exists: after the object is lost a read finds it missing, as git
// does, and after `git gc` packed it, it is read from git; the memo keeps
// the last maxMadeTags, and a damaged one holds none.
func TestMadeTagsNeedTheirObject(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	makeTag := func(name string) string {
		t.Helper()
		req := TagRequest{Name: name, Target: commit, Message: "m", Date: "1700000000 +0000"}
		if err := r.CreateTag(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		b := openBatch(t, r)
		b.RememberMadeTags([]TagRequest{req})
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		id, _ := r.refFromFiles("refs/tags/" + name)
		return id
	}
	read := func(name, id string) (rec TagRecord, started bool) {
		t.Helper()
		b := openBatch(t, r)
		defer b.Close()
		recs, err := b.ReadTagObjects(context.Background(), []TagRef{{Name: name, Object: id}})
		if err != nil || len(recs) != 1 {
			t.Fatalf("%s: %v %+v", name, err, recs)
		}
		return recs[0], b.contents.begun.Load()
	}
	lost := makeTag("lost@v1")
	if err := os.Remove(filepath.Join(r.GitDir(), "objects", lost[:2], lost[2:])); err != nil {
		t.Fatal(err)
	}
	if _, ok := cachedTag(t, r, lost); ok {
		t.Error("a made tag whose object is lost is found")
	}
	g.Git("tag", "-d", "lost@v1")
	packed := makeTag("packed@v1")
	g.Git("gc", "-q", "--prune=now")
	if _, ok := cachedTag(t, r, packed); ok {
		t.Error("a made tag packed since is found without git")
	}
	// ReadTagObjects reads past the cache: the object as git has it
	if rec, _ := read("packed@v1", packed); rec.Tag == nil || rec.Tag.Name != "packed@v1" {
		t.Errorf("packed made tag read from git: %+v", rec)
	}
	var ids []string
	for i := range maxMadeTags + 1 {
		ids = append(ids, makeTag(fmt.Sprintf("n%d@v1", i)))
	}
	if _, ok := cachedTag(t, r, ids[0]); ok {
		t.Errorf("the made tag before the last %d is found", maxMadeTags)
	}
	if _, ok := cachedTag(t, r, ids[1]); !ok {
		t.Errorf("one of the last %d made tags is not found", maxMadeTags)
	}
	b := openBatch(t, r)
	b.cache.setMemo(madeTagsSlot, "", "t\xff\xff\xff")
	b.Close()
	if _, ok := cachedTag(t, r, ids[2]); ok {
		t.Error("a damaged memo of made tags answers")
	}
}
