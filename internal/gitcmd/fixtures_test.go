package gitcmd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// The repositories several tests start from, built once per test binary
// (see gittest.Fixture); each test gets its own copy, so tests that write
// (to refs, or to the object cache in the git directory) stay independent.

// initFixture is a repository with one empty commit, "init", on main: where
// many tests start.
var initFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) string {
	return g.Commit("init", nil)
})

// committedRepo returns a copy of initFixture, opened, and its commit.
func committedRepo(t *testing.T) (g *gittest.Repo, r *Repo, commit string) {
	t.Helper()
	return openCopy(t, initFixture, false)
}

// openCopy copies f for t and opens the copy, with the cat-file protocol of
// git before 2.36 when legacy (see bothProtocols); it returns the value of
// the fixture's build too.
func openCopy[T any](t *testing.T, f *gittest.Fixture[T], legacy bool) (*gittest.Repo, *Repo, T) {
	t.Helper()
	g, v := f.Copy(t)
	r := openTest(t, g, g.Dir)
	r.LegacyCatFile = legacy
	return g, r, v
}

// buildOdd makes g a registry with tags of every kind and odd names, and
// returns its one commit.
func buildOdd(g *gittest.Repo) string {
	commit := g.Commit("init", map[string]string{"dir/f.txt": "content\n"})
	for _, name := range []string{"a#b!#3", "x@v1.0.0+build.1", "x@v1.0.1", "dir/sub=m@v1.0.0", "модель@v1.0.0", "x#prod#1"} {
		g.Tag(name, commit, "msg "+name)
	}
	g.LightTag("light", commit)
	g.Tag("on-tree", commit+"^{tree}", "a tree")
	g.Tag("on-blob", commit+":dir/f.txt", "a blob")
	g.Tag("tag-of-tag", "x@v1.0.1", "a tag of a tag")
	return commit
}

var oddFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) string {
	return buildOdd(g)
})

// oddRegistry returns a copy of the registry of buildOdd, opened.
func oddRegistry(t *testing.T) (g *gittest.Repo, r *Repo, commit string) {
	t.Helper()
	return openCopy(t, oddFixture, false)
}

// bigTagsFixture is the odd registry plus a tag with a 2 MiB message
// (larger than cat-file's pipe and gitcmd's reader buffer) and one with a
// multi-line message.
var bigTagsFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) string {
	commit := buildOdd(g)
	g.Tag("big@v1.0.0", commit, bigMessage)
	g.Tag("multi@v1.0.0", commit, "Line one\n\nLine three\n")
	return commit
})

var bigMessage = strings.Repeat("0123456789abcdef", 2<<20/16) // 2 MiB

// manyRefsFixture is the odd registry plus 3000 lightweight refs
// many-0000 ... many-2999 to the tag object of x@v1.0.1: their
// for-each-ref lines (180 KB) and tag objects are more than the pipes and
// the reader buffers hold. The refs are packed, as in a long-lived
// repository: what is tested is the stream of for-each-ref, which is the
// same, and a copy of one packed-refs file is much cheaper than a copy of
// 3000 loose ref files (and so is listing them).
var manyRefsFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) string {
	commit := buildOdd(g)
	var refs strings.Builder
	obj := g.Git("rev-parse", "refs/tags/x@v1.0.1")
	for i := range 3000 {
		fmt.Fprintf(&refs, "create refs/tags/many-%04d %s\n", i, obj)
	}
	g.GitInput(refs.String(), "update-ref", "--stdin")
	g.Git("pack-refs", "--all")
	return commit
})

// manyTagsFixture has manyTags annotated tags from importTags plus big@v1,
// whose message is 1 MiB; its refs are packed (see manyRefsFixture).
var manyTagsFixture = gittest.NewFixture(func(t testing.TB, g *gittest.Repo) struct{} {
	importTags(t, g, manyTags)
	g.Tag("big@v1", "main", strings.Repeat("x", 1<<20))
	g.Git("pack-refs", "--all")
	return struct{}{}
})

const manyTags = 3000

// remoteFixture has one commit on main, pushed to a bare "origin"
// (originFixture); refs/remotes/origin/main is there too. The URL of
// origin names the bare repository of the build, which is gone: see
// withRemote.
var remoteFixture = gittest.NewFixture(func(t testing.TB, g *gittest.Repo) string {
	origin := gittest.NewBare(t)
	commit := g.Commit("init", map[string]string{"f": "1"})
	g.AddRemote("origin", origin.Dir)
	g.Git("push", "--quiet", "origin", "main")
	return commit
})

// originFixture is the bare origin of remoteFixture: main only.
var originFixture = gittest.NewBareFixture(func(t testing.TB, o *gittest.Repo) struct{} {
	g, _ := remoteFixture.Copy(t)
	g.Git("push", "--quiet", o.Dir, "main")
	return struct{}{}
})

// withRemote returns a repository with one commit and a bare "origin" that
// has it.
func withRemote(t *testing.T) (g *gittest.Repo, r *Repo, origin *gittest.Repo, commit string) {
	t.Helper()
	g, commit = remoteFixture.Copy(t)
	origin, _ = originFixture.Copy(t)
	g.Git("remote", "set-url", "origin", origin.Dir)
	return g, openTest(t, g, g.Dir), origin, commit
}
