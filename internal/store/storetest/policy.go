package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/store"
)

// The behaviours the registry's policy relies on.

func testDefaultBranch(t *testing.T, h Harness) {
	s := open(t, h)
	// files is the blob of gto-policy.yaml at the default branch, after
	// checking that it is main.
	files := func(when string) (blob string) {
		view(t, s, func(ctx context.Context, rd store.Reader) error {
			ref, err := rd.DefaultBranch(ctx)
			if err == nil && ref != "refs/heads/main" {
				t.Errorf("DefaultBranch %s = %q, want refs/heads/main", when, ref)
			}
			if err == nil {
				var at []store.CommitFiles
				if at, err = rd.FilesAt(ctx, []string{ref}, []string{"gto-policy.yaml"}); err == nil {
					blob = at[0].Blobs[0]
				}
			}
			return err
		})
		return blob
	}
	// A repository without commits is on its unborn branch.
	if blob := files("without commits"); blob != "" {
		t.Errorf("a file at an unborn branch: %s", blob)
	}
	c := h.Commit("first", map[string]string{"gto-policy.yaml": "stages: {}\n"})
	h.Branch("master", c)
	if files("with a main and a master branch, HEAD on main") == "" {
		t.Error("FilesAt finds no file at the default branch")
	}
}

// MakeTags makes objects and no refs; WriteTags then points refs at them.
func testMakeTags(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	s := open(t, h)
	name, email := h.Identity()
	update(t, s, func(ctx context.Context, w store.Writer) error {
		ids, err := w.MakeTags(ctx, []store.TagRequest{
			{Name: "m@v1.0.0", Target: c, Message: "Registering", Date: "1700000000 +0000"},
			{Name: "m#prod#1", Target: c, Message: "Assigning", Date: "1700000000 +0000"},
		})
		if err != nil {
			return err
		}
		if len(ids) != 2 || ids[0] == "" || ids[1] == "" || ids[0] == ids[1] {
			t.Fatalf("MakeTags = %v", ids)
		}
		if refs, _ := w.Refs(ctx); len(refs) != 0 {
			t.Errorf("MakeTags created refs: %+v", refs)
		}
		tags, err := w.ReadTagObjects(ctx, []store.Ref{{Name: "m@v1.0.0", Object: ids[0]}, {Name: "m#prod#1", Object: ids[1]}})
		if err != nil {
			return err
		}
		if len(tags) != 2 || tags[1].Name != "m#prod#1" || tags[1].Object != ids[1] || tags[1].Commit != c || tags[1].Message != "Assigning" ||
			tags[1].TaggerName != name || tags[1].TaggerEmail != email || !tags[1].Annotated() {
			t.Errorf("ReadTagObjects of the made objects = %+v", tags)
		}
		if err := w.WriteTags(ctx, []store.TagRequest{{Name: "m@v1.0.0", Object: ids[0]}, {Name: "m#prod#1", Object: ids[1]}}, nil); err != nil {
			return err
		}
		refs, err := w.Refs(ctx)
		if err != nil {
			return err
		}
		if len(refs) != 2 || refs[0].Object != ids[1] || refs[1].Object != ids[0] {
			t.Errorf("after WriteTags of the made objects: %+v, want %v", refs, ids)
		}
		// One made object alone, and one for a tag that exists meanwhile.
		one, err := w.MakeTags(ctx, []store.TagRequest{{Name: "m#dev#2", Target: c, Message: "Assigning"}})
		if err != nil {
			return err
		}
		if err := w.WriteTags(ctx, []store.TagRequest{{Name: "m#dev#2", Object: one[0]}}, nil); err != nil {
			return err
		}
		again, err := w.MakeTags(ctx, []store.TagRequest{{Name: "m#dev#2", Target: c, Message: "again"}})
		if err != nil {
			return err
		}
		if err := w.WriteTags(ctx, []store.TagRequest{{Name: "m#dev#2", Object: again[0]}}, nil); !errors.Is(err, store.ErrTagExists) {
			t.Errorf("WriteTags of a made object over an existing tag = %v, want ErrTagExists", err)
		}
		if tags, err := w.Tags(ctx, []string{"m#dev"}, nil); err != nil || len(tags) != 1 || tags[0].Message != "Assigning" {
			t.Errorf("the existing tag was replaced: %+v, %v", tags, err)
		}
		return nil
	})
}

// ReadTagObjects reads objects under names that have no ref.
func testReadTagObjects(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	obj := h.Tag("m@v1.0.0", c, "Registering")
	chain := h.Tag("chain", obj, "a tag of a tag")
	s := open(t, h)
	missing := strings.Repeat("3", len(c))
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		tags, err := rd.ReadTagObjects(ctx, []store.Ref{{Name: "m#prod#9", Object: obj}, {Name: "x", Object: chain}, {Name: "gone", Object: missing}, {Name: "light", Object: c}})
		if err != nil {
			return err
		}
		if len(tags) != 4 {
			t.Fatalf("ReadTagObjects = %+v", tags)
		}
		if tags[0].Name != "m#prod#9" || tags[0].Commit != c || tags[0].Message != "Registering" || !tags[0].Annotated() {
			t.Errorf("an existing object under a new name = %+v", tags[0])
		}
		if tags[1].Commit != c {
			t.Errorf("a chain = %+v, want it peeled to %s", tags[1], c)
		}
		if !tags[2].Missing {
			t.Errorf("a missing object = %+v", tags[2])
		}
		if tags[3].Annotated() || tags[3].Commit != c {
			t.Errorf("a commit = %+v", tags[3])
		}
		if none, err := rd.ReadTagObjects(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("ReadTagObjects(nil) = %v, %v", none, err)
		}
		if refs, err := rd.Refs(ctx); err != nil || len(refs) != 2 {
			t.Errorf("ReadTagObjects created refs: %+v, %v", refs, err)
		}
		return nil
	})
}

// An unsigned tag, by name or by object id, is neither signed nor verified.
func testTagSignaturesUnsigned(t *testing.T, h Harness) {
	names := []string{"m#prod#1", h.Tag("m#prod#1", h.Commit("first", nil), "Assigning")}
	view(t, open(t, h), func(ctx context.Context, rd store.Reader) error {
		sigs, err := rd.TagSignatures(ctx, names)
		if err != nil {
			return err
		}
		for _, k := range names {
			if sig, ok := sigs[k]; !ok || sig.Signed || sig.Verified || sig.Reason == "" || len(sig.Signers) > 0 {
				t.Errorf("TagSignatures[%s] = %+v, %v", k, sig, ok)
			}
		}
		return nil
	})
}
