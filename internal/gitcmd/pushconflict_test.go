package gitcmd

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestPushAtomic(t *testing.T) {
	t.Parallel()
	g, r, origin, commit := withRemote(t)
	g.Tag("m#prod#1", commit, "local")
	g.Tag("m@v1.0.0", commit, "registration")
	// The remote already has another m#prod#1: with --atomic, m@v1.0.0 is
	// not pushed either.
	origin.Git("tag", "m#prod#1", origin.Git("mktree"))
	err := r.PushWith(t.Context(), "origin", []string{"refs/tags/m@v1.0.0", "refs/tags/m#prod#1"}, PushOptions{Atomic: true})
	var pe *PushError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v, want *PushError", err, err)
	}
	want := []RejectedRef{
		{Ref: "refs/tags/m#prod#1", Reason: ReasonAlreadyExists},
		{Ref: "refs/tags/m@v1.0.0", Reason: ReasonAtomicFailed},
	}
	slices.SortFunc(pe.Rejected, func(a, b RejectedRef) int { return strings.Compare(a.Ref, b.Ref) })
	if !slices.Equal(pe.Rejected, want) {
		t.Errorf("Rejected = %+v, want %+v", pe.Rejected, want)
	}
	mustErrIs(t, err, ErrTagExists)
	if got := origin.Git("tag", "--list", "m@*"); got != "" {
		t.Errorf("atomic push updated %q", got)
	}
	// Without the conflict the same push goes through.
	if err := r.PushWith(t.Context(), "origin", []string{"refs/tags/m@v1.0.0"}, PushOptions{Atomic: true}); err != nil {
		t.Fatal(err)
	}
}

func TestListRemoteTagsAndFetchTags(t *testing.T) {
	t.Parallel()
	g, r, origin, commit := withRemote(t)
	if tags, err := r.ListRemoteTags(t.Context(), "origin"); err != nil || len(tags) != 0 {
		t.Fatalf("ListRemoteTags on a remote without tags: %v %v", tags, err)
	}
	origin.Tag("m#prod#1", commit, "remote annotated")
	origin.LightTag("m#dev#2", commit)
	origin.Tag("other@v1.0.0", commit, "other")
	tags, err := r.ListRemoteTags(t.Context(), "origin")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tag := range tags {
		names = append(names, tag.Name)
		if want := origin.Git("rev-parse", "refs/tags/"+tag.Name); tag.Object != want {
			t.Errorf("%s: object %s, want %s", tag.Name, tag.Object, want)
		}
	}
	slices.Sort(names)
	if want := []string{"m#dev#2", "m#prod#1", "other@v1.0.0"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}

	// FetchTags fetches the named tags only, and never clobbers.
	if err := r.FetchTags(t.Context(), "origin", []string{"m#prod#1", "m#dev#2"}); err != nil {
		t.Fatal(err)
	}
	if got := g.Git("tag", "--list"); got != "m#dev#2\nm#prod#1" {
		t.Errorf("local tags %q", got)
	}
	g.Tag("other@v1.0.0", commit, "local, different")
	local := g.Git("rev-parse", "refs/tags/other@v1.0.0")
	if err := r.FetchTags(t.Context(), "origin", []string{"other@v1.0.0"}); err == nil {
		t.Error("FetchTags replaced a local tag")
	}
	if got := g.Git("rev-parse", "refs/tags/other@v1.0.0"); got != local {
		t.Errorf("local tag moved to %s", got)
	}
	if err := r.FetchTags(t.Context(), "origin", nil); err != nil {
		t.Errorf("FetchTags without names: %v", err)
	}
}
