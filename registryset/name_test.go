package registryset_test

import (
	"regexp"
	"testing"

	"github.com/gto-dev/gto/registryset"
)

// TestCheckNameCharacters holds CheckName's character rule to the pattern
// its documentation states, on every name of up to two characters drawn
// from a set that has each class and its neighbours.
func TestCheckNameCharacters(t *testing.T) {
	t.Parallel()
	pattern := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	chars := []byte("aZz09._-/ @`[{:\x00\xff")
	names := []string{"model.v2", "a-b_c.d", "-a", ".a", "_a", "a/b", "é"}
	for _, a := range chars {
		names = append(names, string(a))
		for _, b := range chars {
			names = append(names, string([]byte{a, b}))
		}
	}
	for _, name := range names {
		if got, want := registryset.CheckName(name) == nil, pattern.MatchString(name); got != want {
			t.Errorf("CheckName(%q) accepted: %v, want %v", name, got, want)
		}
	}
}
