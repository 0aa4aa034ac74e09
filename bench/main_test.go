package main

import (
	"strings"
	"testing"
)

// More runs than the spare commits can take for register are refused
// before anything is read or measured: the directory does not exist.
func TestMeasureShapeRefusesTooManyRuns(t *testing.T) {
	t.Parallel()
	_, err := measureShape(Shape{Name: "small", Artifacts: 10}, t.TempDir()+"/absent", "/absent/gto", spareCommits*10)
	if err == nil || !strings.Contains(err.Error(), "at most 159") {
		t.Fatalf("err = %v, want the runs refused (at most 159)", err)
	}
}

// Each pass over the spare commits registers another artifact, so no run
// registers a commit the same copy already gave that artifact.
func TestRegisterRunsNeverRepeat(t *testing.T) {
	t.Parallel()
	s := Shape{Name: "small", Artifacts: 10}
	var register command
	for _, c := range commandsFor(s) {
		if c.label == "register NAME REF" {
			register = c
		}
	}
	seen := map[string]int{}
	for i := 0; i < spareCommits*s.Artifacts; i++ {
		key := strings.Join(register.args(i), " ")
		if j, ok := seen[key]; ok {
			t.Fatalf("runs %d and %d both run %q", j, i, key)
		}
		seen[key] = i
	}
}
