package registry

import (
	"reflect"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/model"
)

func fingerprint(t *testing.T, r *gittest.Repo) string {
	t.Helper()
	reg, err := Open(t.Context(), sealedAt(r, r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	fp, err := reg.Fingerprint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	r := gittest.NewRepo(t)
	empty := fingerprint(t, r) // no commits yet: still a fingerprint
	c := r.Commit("first", nil)
	first := fingerprint(t, r)
	if first == empty || fingerprint(t, r) != first {
		t.Fatal("the fingerprint does not follow HEAD, or is not stable")
	}
	seen := map[string]string{empty: "empty", first: "first commit"}
	step := func(what string) {
		t.Helper()
		fp := fingerprint(t, r)
		if prev, dup := seen[fp]; dup {
			t.Errorf("%s: fingerprint %s as after %s", what, fp, prev)
		}
		seen[fp] = what
	}
	r.Tag("m@v1.0.0", c, "registering")
	step("a new tag")
	r.LightTag("other", c) // every tag counts: lightweight ones count for counters
	step("a lightweight tag")
	r.Git("tag", "-d", "other")
	if fp := fingerprint(t, r); seen[fp] != "a new tag" {
		t.Errorf("deleting the tag again gives %s, not the fingerprint before it", seen[fp])
	}
	r.Git("tag", "-f", "-a", "-m", "moved", "m@v1.0.0", c) // a new tag object, same name
	step("a re-created tag")
	r.Git("branch", "side", c)
	r.Git("checkout", "-q", "side")
	r.Commit("on a branch", nil)
	step("a new branch tip")
	r.WriteFile(".gto", "stages: [dev, prod]\n")
	step("a changed configuration")
}

// TestSnapshotAnswersAsTheQueries checks that the views computed from a
// Snapshot are those of the queries the commands run.
func TestSnapshotAnswersAsTheQueries(t *testing.T) {
	t.Parallel()
	r := gittest.NewRepo(t)
	c1 := r.Commit("first", map[string]string{"artifacts.yaml": "m:\n  type: model\n  description: first\n"})
	r.Tag("m@v1.0.0", c1, "registering")
	r.Tag("m#prod#1", c1, "promote")
	c2 := r.Commit("second", map[string]string{"artifacts.yaml": "m:\n  type: model\n  description: second\nn:\n  type: dataset\n"})
	r.Tag("m@v1.1.0", c2, "registering")
	r.Tag("n#dev#1", c2, "unregistered stage")
	r.Tag("m@deprecated", c1, "deprecating")
	ctx := t.Context()
	reg, err := Open(ctx, sealedAt(r, r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	snap, err := reg.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	table, err := reg.ShowRegistry(ctx, DefaultShowOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := snap.Table(model.DefaultStageView)
	if !reflect.DeepEqual(got.Stages, table.Stages) || len(got.Rows) != len(table.Rows) {
		t.Fatalf("Table: %+v, ShowRegistry: %+v", got, table)
	}
	for i := range got.Rows {
		a, b := got.Rows[i], table.Rows[i]
		if a.Artifact.Name != b.Artifact.Name || a.Latest != b.Latest || a.Registered != b.Registered || !reflect.DeepEqual(a.InStage, b.InStage) {
			t.Errorf("row %d: %+v, want %+v", i, a, b)
		}
	}
	stages, err := reg.Stages(ctx, StagesOptions{})
	if err != nil || !reflect.DeepEqual(snap.Stages(), stages) {
		t.Errorf("Stages: %v, want %v (%v)", snap.Stages(), stages, err)
	}
	if ann := snap.Annotation("m"); ann == nil || ann.Description != "second" {
		t.Errorf("annotation of m at HEAD: %+v", ann)
	}
	if ann := snap.AnnotationAt(c1, "m"); ann == nil || ann.Description != "first" {
		t.Errorf("annotation of m at its first version: %+v", ann)
	}
	if ann := snap.AnnotationAt(c1, "n"); ann != nil {
		t.Errorf("n was not annotated at c1: %+v", ann)
	}
	// The commit events carry the annotation at their commit, as
	// ShowArtifact with Annotations does.
	view, err := reg.ShowArtifact(ctx, ShowOptions{Name: "m", View: model.DefaultStageView, Annotations: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range view.Versions {
		v := snap.State.Artifact("m").FindVersion(row.Version.Name)
		want, got := row.Version.CommitEvent.Annotation, v.CommitEvent.Annotation
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: annotation %+v, want %+v", v.Name, got, want)
		}
	}
	events, err := reg.History(ctx, HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all := snap.State.History("", false)
	if len(all) != len(events) {
		t.Fatalf("History: %d events, want %d", len(all), len(events))
	}
	for i := range all {
		if all[i].Ref() != events[i].Ref() || all[i].Kind != events[i].Kind || all[i].Artifact != events[i].Artifact {
			t.Errorf("event %d: %s %s, want %s %s", i, all[i].Kind, all[i].Ref(), events[i].Kind, events[i].Ref())
		}
	}
}

// TestSnapshotIfChanged checks the refresh of long-running readers: a
// Snapshot the first time, none while nothing changes, a new one after a tag.
func TestSnapshotIfChanged(t *testing.T) {
	t.Parallel()
	r := gittest.NewRepo(t)
	c := r.Commit("first", nil)
	r.Tag("m@v1.0.0", c, "registering")
	reg, err := Open(t.Context(), sealedAt(r, r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	refresh := func(known string) (*Snapshot, string) {
		t.Helper()
		snap, fp, err := reg.SnapshotIfChanged(t.Context(), known)
		if err != nil || fp == "" {
			t.Fatalf("SnapshotIfChanged(%q) = %v, %q, %v", known, snap, fp, err)
		}
		return snap, fp
	}
	first, fp := refresh("")
	if first == nil || len(first.State.Artifacts) != 1 {
		t.Fatalf("no known fingerprint: got %+v, want a snapshot of one artifact", first)
	}
	if again, fp2 := refresh(fp); again != nil || fp2 != fp {
		t.Errorf("unchanged registry: got a snapshot %v, fingerprint %q (was %q)", again, fp2, fp)
	}
	r.Tag("n@v1.0.0", c, "registering")
	if next, fp3 := refresh(fp); next == nil || fp3 == fp || len(next.State.Artifacts) != 2 {
		t.Errorf("after a new tag: got %v, fingerprint %q (was %q)", next, fp3, fp)
	}
}
