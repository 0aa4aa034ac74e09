package objectid

import (
	"strings"
	"testing"
)

func TestIs(t *testing.T) {
	t.Parallel()
	sha1, sha256 := strings.Repeat("a1", 20), strings.Repeat("0f", 32)
	for s, want := range map[string]bool{
		sha1: true, sha256: true, "": false, sha1[:39]: false, sha1 + "0": false,
		strings.ToUpper(sha1): false, strings.Repeat("g", 40): false, "v1.0.0": false,
	} {
		if got := Is(s); got != want {
			t.Errorf("Is(%q) = %v", s, got)
		}
		if got := Is([]byte(s)); got != want {
			t.Errorf("Is([]byte(%q)) = %v", s, got)
		}
	}
	if !Hex("abc123") || Hex("abz") || !Hex("") {
		t.Error("Hex")
	}
}
