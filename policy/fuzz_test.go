package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/model"
)

// FuzzParse: no input makes Parse panic or hang; every error is one line
// that starts with the file's name; a policy that parses only has rules
// for stages the configuration allows, and judges any assignment without
// panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []struct{ data, stages string }{
		{issueExample, ""},
		{issueExample, "dev staging prod"},
		{"stages:\n  prod: {after: [staging], prerelease: false}\n", "staging"},
		{"stages:\n  staging: {after: [prod]}\n  prod: {after: [staging]}\n", ""},
		{"artifacts:\n  \"nlp/*\": {stages: {prod: {taggers: [\"*@x\"], signed: true, signers: [a]}}}\n", ""},
		{"stages: &a {prod: *a}\n", ""},
		{"stages:\n  prod: {signed: yes, after: [[a]]}\n", ""},
		{"- a\n", ""},
		{"stages: [" + strings.Repeat("[", 100), ""},
		{"\xff\xfe", ""},
		{"artifacts:\n  \"[\": {}\n", ""},
		{"stages:\n  prod:\n    after: [a, b, c, a]\n  a: {after: [b]}\n  b: {after: [c]}\n", ""},
	} {
		f.Add([]byte(s.data), s.stages)
	}
	f.Fuzz(func(t *testing.T, data []byte, stages string) {
		var allowed []string
		if stages != "" {
			allowed = strings.Fields(stages)
		}
		p, err := Parse(data, DefaultFile, allowed)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, DefaultFile) {
				t.Fatalf("error does not name the file: %q", msg)
			}
			return
		}
		for _, st := range p.Stages() {
			if allowed != nil && !slices.Contains(allowed, st) {
				t.Fatalf("rules for stage %q, which the configuration does not allow", st)
			}
			r := p.Rule("nlp/bert", st)
			for _, a := range r.After {
				if a == st || (allowed != nil && !slices.Contains(allowed, a)) {
					t.Fatalf("stage %q requires %q", st, a)
				}
			}
			e := &model.Event{Kind: model.KindAssignment, Artifact: "nlp/bert", Version: "v1.0.0-rc.1", Commit: "c", Stage: st, Tag: "nlp/bert#" + st + "#1"}
			for _, err := range p.CheckEvent(nil, e, &Signature{Signed: true, Verified: true}) {
				if err.Rule == "" || strings.ContainsAny(err.Error(), "\n\r") {
					t.Fatalf("violation %+v", err)
				}
			}
			p.CheckPlanned(nil, "nlp/bert", "v1.0.0", "c", st, false)
		}
	})
}
