package gitstore_test

import (
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/internal/store/gitstore"
	"github.com/gto-dev/gto/internal/store/storetest"
)

// harness builds real repositories (a work tree with a bare origin) for
// the contract suite.
type harness struct {
	t             *testing.T
	local, origin *gittest.Repo
}

func newHarness(t *testing.T) storetest.Harness {
	h := &harness{t: t, local: gittest.NewRepo(t), origin: gittest.NewBare(t)}
	h.local.AddRemote("origin", h.origin.Dir)
	return h
}

func (h *harness) Commit(message string, files map[string]string) string {
	return h.local.Commit(message, files)
}

// CommitModes stages the files, then sets the modes of the index
// entries: a symlink is its target as a blob of mode 120000.
func (h *harness) CommitModes(message string, files, modes map[string]string) string {
	for path, content := range files {
		if modes[path] == "" {
			h.local.WriteFile(path, content)
			h.local.Git("add", "--", path)
			continue
		}
		blob := h.Blob(content)
		h.local.Git("update-index", "--add", "--cacheinfo", modes[path]+","+blob+","+path)
	}
	return h.local.Commit(message, nil)
}

func (h *harness) Tag(name, target, message string) string {
	h.local.Tag(name, target, message)
	return h.local.Git("rev-parse", "refs/tags/"+name)
}

func (h *harness) LightTag(name, target string) { h.local.LightTag(name, target) }
func (h *harness) Branch(name, commit string)   { h.local.Git("branch", "--force", name, commit) }
func (h *harness) Publish()                     { h.local.Git("push", "--quiet", "origin", "--all") }
func (h *harness) Identity() (string, string)   { return gittest.Name, gittest.Email }

func (h *harness) Blob(content string) string {
	return h.local.GitInput(content, "hash-object", "-w", "--stdin")
}

func (h *harness) OriginTag(name, target, message string) { h.origin.Tag(name, target, message) }

func (h *harness) OriginTags() map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(h.origin.Git("for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/tags/"), "\n") {
		if name, id, ok := strings.Cut(line, " "); ok {
			out[name] = id
		}
	}
	return out
}

func (h *harness) Open() store.Store {
	s, err := gitstore.Open(h.t.Context(), h.local.Dir, gitstore.Options{Env: h.local.Env()})
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, newHarness)
}
