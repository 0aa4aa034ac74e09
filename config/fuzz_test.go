package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/tagname"
)

// FuzzLoad feeds hostile .gto contents and GTO_* values to LoadBytes: it
// must never panic, every error is one line that names the file or the
// variable at fault, and whatever it accepts is usable (valid names, an
// index inside the repository).
func FuzzLoad(f *testing.F) {
	unset := "\x00unset" // a value that means "the variable is not set"
	for _, s := range []struct{ file, types, stages, emojis, index string }{
		{"", unset, unset, unset, unset},
		{"types: [model, dataset]\nstages: [dev, prod]\nemojis: false\nindex: reg.yaml\nlog_level: DEBUG\n", unset, unset, unset, unset},
		{"STAGES: [dev]\nEmojis: 'off'\n", `["qa", "prod"]`, `[]`, "no", "sub/a.yaml"},
		{"stages: [dev", unset, unset, unset, unset},
		{"- a\n- b\n", unset, unset, unset, unset},
		{"a: &x [dev]\nstages: *x\n", unset, unset, unset, unset},
		{"types: &x [[dev]]\nstages: *x\n", unset, unset, unset, unset},
		{"enrichments: &a [x, x]\ndebug: [*a, *a]\nstages: [dev]\n", unset, unset, unset, unset},
		{"index: ../../x.yaml\n", unset, unset, unset, unset},
		{"index: .git/hooks/pre-commit\n", unset, unset, unset, "/etc/passwd"},
		{"stages: [dev]\n---\ntypes: [x]\n", unset, unset, unset, unset},
		{"stages: [\"bad stage\"]\n", "null", `"model"`, "maybe", ""},
		{"? [a]\n: b\n", `[1]`, `["a b"]`, "1", "a\nb"},
		{"emojis: {a: 1}\nlog_level: [x]\n", "[", " null ", "TRUE", ".."},
		{"\xff\xfe", unset, unset, unset, unset},
		{"stages: [" + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "]", unset, unset, unset, unset},
	} {
		f.Add([]byte(s.file), s.types, s.stages, s.emojis, s.index)
	}
	f.Fuzz(func(t *testing.T, file []byte, types, stages, emojis, index string) {
		vars := map[string]string{}
		for k, v := range map[string]string{"GTO_TYPES": types, "GTO_STAGES": stages, "GTO_EMOJIS": emojis, "GTO_INDEX": index} {
			if v != unset {
				vars[k] = v
			}
		}
		c, err := LoadBytes(file, ".gto", env(vars))
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, ".gto") && !strings.HasPrefix(msg, "GTO_") {
				t.Fatalf("error names neither the file nor a variable: %q", msg)
			}
			return
		}
		for _, n := range slices.Concat(c.Types, c.Stages) {
			if err := tagname.ValidateName("stage", n); err != nil {
				t.Fatalf("accepted an invalid name: %v", err)
			}
		}
		if reason := checkIndex(c.Index); reason != "" {
			t.Fatalf("accepted index %q: %s", c.Index, reason)
		}
		if c.LogLevel == "" {
			t.Fatalf("accepted an empty log level")
		}
		for _, s := range c.Stages {
			if err := c.CheckStage(s); err != nil {
				t.Fatalf("a configured stage is refused: %v", err)
			}
		}
	})
}
