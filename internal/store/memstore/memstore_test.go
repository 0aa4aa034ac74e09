package memstore_test

import (
	"errors"
	"testing"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/internal/store/storetest"
)

// harness builds in-memory repositories for the contract suite.
type harness struct {
	local, origin *memstore.Repo
}

func (h *harness) Commit(message string, files map[string]string) string {
	return h.local.Commit(message, files)
}
func (h *harness) CommitModes(message string, files, modes map[string]string) string {
	return h.local.CommitModes(message, files, modes)
}
func (h *harness) Tag(name, target, message string) string { return h.local.Tag(name, target, message) }
func (h *harness) LightTag(name, target string)            { h.local.LightTag(name, target) }
func (h *harness) Branch(name, commit string)              { h.local.Branch(name, commit) }
func (h *harness) Blob(content string) string              { return h.local.Blob(content) }
func (h *harness) Publish()                                { h.local.PushBranches(h.origin) }
func (h *harness) OriginTag(name, target, message string)  { h.origin.Tag(name, target, message) }
func (h *harness) Identity() (string, string)              { return memstore.Name, memstore.Email }

func (h *harness) OriginTags() map[string]string {
	out := map[string]string{}
	for _, n := range h.origin.TagNames() {
		out[n] = h.origin.TagObject(n)
	}
	return out
}

func (h *harness) Open() store.Store {
	return memstore.New(h.local, memstore.Options{Origin: h.origin})
}

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		return &harness{local: memstore.NewRepo(), origin: memstore.NewRepo()}
	})
}

// A made object is written under the name it was made for, only.
func TestWriteTagsMadeObjectElsewhere(t *testing.T) {
	t.Parallel()
	repo := memstore.NewRepo()
	c := repo.Commit("first", nil)
	s := memstore.New(repo, memstore.Options{})
	err := s.Update(t.Context(), func(w store.Writer) error {
		ids, err := w.MakeTags(t.Context(), []store.TagRequest{{Name: "m#prod#1", Target: c, Message: "Assigning"}})
		if err != nil {
			return err
		}
		return w.WriteTags(t.Context(), []store.TagRequest{{Name: "m#prod#2", Object: ids[0]}}, nil)
	})
	if !errors.Is(err, store.ErrObjectNotFound) {
		t.Errorf("WriteTags of an object made for another name = %v", err)
	}
	if names := repo.TagNames(); len(names) != 0 {
		t.Errorf("tags %v", names)
	}
}
