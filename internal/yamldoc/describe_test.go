package yamldoc

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestDescribe(t *testing.T) {
	root, err := Load([]byte("[{a: 1}, [x], null, 5, 1.5, true, text, '5', !!binary /w==, &a x, *a]"), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ describe, describeType string }{
		{"a mapping", "a mapping"},
		{"a list", "a list"},
		{"null", "null"},
		{`"5"`, "a number"},
		{`"1.5"`, "a number"},
		{`"true"`, "a boolean"},
		{`"text"`, `"text"`},
		{`"5"`, `"5"`},
		{`"/w=="`, `"/w=="`},
		{`"x"`, `"x"`},
		{"an alias (*a)", "an alias (*a)"},
	}
	for i, n := range root.Content {
		if got := Describe(n); got != want[i].describe {
			t.Errorf("Describe(item %d) = %s, want %s", i, got, want[i].describe)
		}
		if got := DescribeType(n); got != want[i].describeType {
			t.Errorf("DescribeType(item %d) = %s, want %s", i, got, want[i].describeType)
		}
	}
	if got := Describe(&yaml.Node{}); got != "nothing" {
		t.Errorf("Describe(zero Node) = %s, want nothing", got)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"a\nb\x00", `"a\nb\x00"`},
		{strings.Repeat("x", 64), `"` + strings.Repeat("x", 64) + `"`},
		{strings.Repeat("x", 65), `"` + strings.Repeat("x", 64) + `"...`},
		// A character across the 64th byte is left out whole.
		{strings.Repeat("x", 63) + "é" + "y", `"` + strings.Repeat("x", 63) + `"...`},
		{strings.Repeat("x", 62) + "日本", `"` + strings.Repeat("x", 62) + `"...`},
		// Bytes that are not UTF-8 are shown as escapes.
		{"\xff" + strings.Repeat("x", 70), `"\xff` + strings.Repeat("x", 63) + `"...`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
