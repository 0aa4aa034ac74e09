package store

import "testing"

func TestReasonMoved(t *testing.T) {
	t.Parallel()
	for reason, want := range map[Reason]bool{
		ReasonExists: true, ReasonStale: true, ReasonAtomic: false,
		"failed to update ref": true, "cannot lock ref 'refs/tags/m#prod#1': reference already exists": true,
		"atomic transaction failed": true, "fetch first": true,
		"pre-receive hook declined": false, "remote ref does not exist": false, "non-fast-forward": false,
	} {
		if got := reason.Moved(); got != want {
			t.Errorf("Reason(%q).Moved() = %v", reason, got)
		}
	}
}

func TestRejectedRefTag(t *testing.T) {
	t.Parallel()
	if name, ok := (RejectedRef{Ref: "refs/tags/m#prod#1"}).Tag(); !ok || name != "m#prod#1" {
		t.Errorf("Tag() = %q, %v", name, ok)
	}
	if _, ok := (RejectedRef{Ref: "refs/gto/counters/m"}).Tag(); ok {
		t.Error("a counter ref is a tag")
	}
}
