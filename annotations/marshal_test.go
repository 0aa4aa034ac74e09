package annotations

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The expected texts are what gto 0.2.4 (ruamel.yaml 0.18.6) writes for the
// same state; internal/yamldoc/ruamelcorpus has many more.
func TestMarshalCanonical(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty index", "", "{}\n"},
		{"all defaults", "model:\nother: {virtual: true, labels: []}\n", "model: {}\nother: {}\n"},
		{"fields sorted and defaults omitted",
			"m: {custom: {b: 1, a: [x]}, description: d, labels: [z, a], virtual: false, path: p, type: t, extra: dropped}\n",
			"m:\n  custom:\n    a:\n    - x\n    b: 1\n  description: d\n  labels:\n  - z\n  - a\n  path: p\n  type: t\n  virtual: false\n"},
		{"artifacts sorted", "z: {}\na: {}\nm: {}\n", "a: {}\nm: {}\nz: {}\n"},
		{"flow style becomes block style",
			"nn: {type: model, path: \"models/nn.h5\", virtual: false}\nfeatures:\n  type: dataset\n  labels: [raw, big]\n  description: \"Features: v2\"\n",
			"features:\n  description: 'Features: v2'\n  labels:\n  - raw\n  - big\n  type: dataset\nnn:\n  path: models/nn.h5\n  type: model\n  virtual: false\n"},
		{"ambiguous strings are single-quoted",
			"\"123\": {path: \"true\", description: \"null\", labels: [\"1\"]}\n",
			"'123':\n  description: 'null'\n  labels:\n  - '1'\n  path: 'true'\n"},
		{"indicators quote, a quote double-quotes", "m: {path: \"it's\", description: 'a: b #c'}\n",
			"m:\n  description: 'a: b #c'\n  path: it's\n"},
		{"multi-line text is double-quoted", "m: {description: \"line 1\\nline 2\\n\"}\n",
			"m:\n  description: \"line 1\\nline 2\\n\"\n"},
		{"escapes", "m: {description: \"\\t\\n x \\n\"}\n",
			"m:\n  description: \"\\t\\n x \\n\"\n"},
		{"YAML 1.1 booleans and base-60 numbers are plain in YAML 1.2",
			"m: {labels: [y, 'no'], path: 'on', description: '1:20'}\n",
			"m:\n  description: 1:20\n  labels:\n  - y\n  - no\n  path: on\n"},
		{"long text is folded",
			"m: {description: 'a long description that goes on and on, well past the eighty columns of a line'}\n",
			"m:\n  description: a long description that goes on and on, well past the eighty columns\n    of a line\n"},
		{"non-UTF-8 text is binary", "m: {path: !!binary /w==}\n", "m:\n  path: !!binary |\n    /w==\n"},
		{"floats stay floats", "m: {custom: [1.0, -0.0, 1e300, 0.5]}\n",
			"m:\n  custom:\n  - 1.0\n  - -0.0\n  - 1e+300\n  - 0.5\n"},
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
		// yaml.v3 reads these plain as numbers, YAML 1.2 (and Marshal) as text.
		".5e3", "0X1F", "0B1", "0O17", "1e_3", "+0x_1", "1__", "1_e3", "._5",
		// Folding near the line width, in every style.
		strings.Repeat("x", 78) + " y", strings.Repeat("x", 78) + "  y", strings.Repeat("x", 100),
		strings.Repeat("it's ", 30), strings.Repeat("a\tb ", 30), strings.Repeat("a \\ \" ", 40),
		strings.Repeat("é ", 50) + "\n" + strings.Repeat("日", 100), strings.Repeat("w\u2028 ", 40),
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

// Random indexes with awkward strings and custom trees survive Marshal and
// Parse, except where gto's writer itself loses a string (see yamldoc.Emit).
func TestMarshalRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "b", "x", " ", " ", "  ", "\n", "\t", "\r", "'", "\"", "\\", "#", ":", "-", "?", ",", "[", "{",
		"!", "&", "*", "|", ">", "%", "@", "`", "~", "true", "null", "1", "0x1f", ".5e3", "1.0", "2022-01-01", "---",
		"\x00", "\x1b", "\x7f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\ufffe", "é", "日", "😀",
		strings.Repeat("w", 85), "word ", "word ", "word "}
	randString := func() string {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	var randValue func(depth int) any
	randValue = func(depth int) any {
		switch k := rng.IntN(10); {
		case depth > 3 || k < 4:
			// Parse gives int, and uint64 only above the int range.
			return []any{randString(), true, false, nil, rng.Int(), -rng.Int(), rng.Uint64() | 1<<63, rng.Float64() * 1e6,
				rng.NormFloat64() * 1e-7, float64(rng.IntN(100))}[rng.IntN(10)]
		case k < 7:
			l := []any{}
			for range rng.IntN(4) {
				l = append(l, randValue(depth+1))
			}
			return l
		default:
			m := map[string]any{}
			for range rng.IntN(4) {
				m[randString()] = randValue(depth + 1)
			}
			return m
		}
	}
	lossy := 0
	for i := range 2000 {
		ix := New("")
		for j := range rng.IntN(4) {
			a := Artifact{Path: randString(), Virtual: rng.IntN(2) == 0, Description: randString()}
			if rng.IntN(2) == 0 {
				a.Type = "t"
				a.Labels = []string{"l1", "l0"}[:rng.IntN(3)]
			}
			if rng.IntN(2) == 0 {
				a.Custom = randValue(0)
			}
			ix.set(fmt.Sprintf("m%d-%d", i, j), a)
		}
		if _, l, _ := ix.marshal(); l {
			lossy++
		}
		assertRoundTrip(t, ix)
	}
	t.Logf("%d of 2000 indexes hold a string that gto's writer loses", lossy)
}
