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

func TestNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		id, kind, body string
		want           bool
	}{
		{"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", "blob", "", true}, // git hash-object /dev/null
		{"ce013625030ba8dba906f756967f9e9ca394464a", "blob", "hello\n", true},
		{"473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813", "blob", "", true}, // --object-format=sha256
		{"ce013625030ba8dba906f756967f9e9ca394464a", "blob", "hello", false},
		{"ce013625030ba8dba906f756967f9e9ca394464a", "tag", "hello\n", false},
		{"ce013625030ba8dba906f756967f9e9ca39446", "blob", "hello\n", false}, // not an id's length
	} {
		if got := Names(c.id, c.kind, []byte(c.body)); got != c.want {
			t.Errorf("Names(%s, %s, %q) = %v", c.id, c.kind, c.body, got)
		}
	}
}
