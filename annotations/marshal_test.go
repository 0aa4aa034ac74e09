package annotations

import (
	"strings"
	"testing"
)

func TestMarshalCanonical(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty index", "", "{}\n"},
		{"all defaults", "model:\nother: {virtual: true, labels: []}\n", "model: {}\nother: {}\n"},
		{"field order and defaults omitted",
			"m: {custom: {b: 1, a: [x]}, description: d, labels: [z, a], virtual: false, path: p, type: t, extra: dropped}\n",
			"m:\n  type: t\n  path: p\n  virtual: false\n  labels:\n    - z\n    - a\n  description: d\n  custom:\n    a:\n      - x\n    b: 1\n"},
		{"file order kept", "z: {}\na: {}\nm: {}\n", "z: {}\na: {}\nm: {}\n"},
		{"flow style becomes block style",
			"nn: {type: model, path: \"models/nn.h5\", virtual: false}\nfeatures:\n  type: dataset\n  labels: [raw, big]\n  description: \"Features: v2\"\n",
			"nn:\n  type: model\n  path: models/nn.h5\n  virtual: false\nfeatures:\n  type: dataset\n  labels:\n    - raw\n    - big\n  description: 'Features: v2'\n"},
		{"ambiguous strings are quoted",
			"\"123\": {path: \"true\", description: \"null\", labels: [\"1\"]}\n",
			"\"123\":\n  path: \"true\"\n  labels:\n    - \"1\"\n  description: \"null\"\n"},
		{"simple multi-line text is a literal block", "m: {description: \"line 1\\nline 2\\n\"}\n",
			"m:\n  description: |\n    line 1\n    line 2\n"},
		{"awkward multi-line text is double-quoted", "m: {description: \"\\t\\n x \\n\"}\n",
			"m:\n  description: \"\\t\\n x \\n\"\n"},
		{"YAML 1.1 booleans and base-60 numbers are quoted", "m: {labels: [y, 'no'], path: 'on', description: '1:20'}\n",
			"m:\n  path: \"on\"\n  labels:\n    - \"y\"\n    - \"no\"\n  description: \"1:20\"\n"},
		{"non-UTF-8 text is binary", "m: {path: !!binary /w==}\n", "m:\n  path: !!binary /w==\n"},
		{"floats stay floats", "m: {custom: [1.0, -0.0, 1e300, 0.5]}\n",
			"m:\n  custom:\n    - 1.0\n    - -0.0\n    - 1e+300\n    - 0.5\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := mustParse(t, tt.src)
			out, err := ix.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("Marshal() =\n%s\nwant\n%s", out, tt.want)
			}
			assertRoundTrip(t, ix)
		})
	}
}

// Values that YAML would read back as something else, or that need escapes,
// survive Marshal and Parse.
func TestMarshalRoundTripStrings(t *testing.T) {
	values := []string{
		"true", "false", "yes", "No", "on", "y", "n", "null", "Null", "~", "", " ",
		"123", "-1", "+1", "0x1F", "0o17", "017", "1_000", "1.0", "1e3", ".5", ".inf", ".NaN",
		"2001-12-14", "2001-12-14T21:59:43.10-05:00", "12:30:45", "1:20",
		"a: b", "a #b", "a # b", "#", "- x", "? x", "%x", "@x", "`x", "!x", "&x", "*x", "|", ">", "'", "\"",
		"<<", "=", "---", "...", "--- x", "a\n---\nb", "a\n...\nb",
		" lead", "trail ", "  lead\nx", "x\n", "\n", "a\n\n", "\n\na", "a\rb", "a\r\nb", "a\tb", "\t",
		"a\u2028b", "a\u2029b", "\u0085x", "\ufeffbom", "a\x00b", "\x7f", "é — “quotes”", "日本語",
		"\xff\xfe", "x\xffy",
		"Model: v2 — \"quoted\" and 'single' #hash", "https://example.com/a?b=c&d=e#f",
		strings.Repeat("long words ", 40),
	}
	for _, v := range values {
		ix := New("")
		ix.set("m", Artifact{Path: v, Description: v, Virtual: true, Custom: map[string]any{v: []any{v}}})
		assertRoundTrip(t, ix)
	}
}

func TestMarshalRejectsForeignCustom(t *testing.T) {
	ix := New("")
	ix.set("m", Artifact{Virtual: true, Custom: struct{}{}})
	_, err := ix.Marshal()
	assertErr(t, err, `cannot write artifact "m" to artifacts.yaml`, "struct {}")
}
