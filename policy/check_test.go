package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// state builds the state of tags "name commit email", one minute apart.
func state(t *testing.T, tags ...string) *model.State {
	t.Helper()
	var in []model.TagInput
	for i, line := range tags {
		f := strings.Fields(line)
		parsed, ok := tagname.Parse(f[0])
		if !ok {
			t.Fatalf("%q is no GTO tag", f[0])
		}
		email := "ops@example.com"
		if len(f) > 2 {
			email = f[2]
		}
		in = append(in, model.TagInput{Name: f[0], Parsed: parsed, Annotated: true, Commit: f[1],
			Tagger: "T", TaggerEmail: email, Time: time.Unix(1640995200+int64(60*i), 0).UTC(), Message: "m"})
	}
	return model.Build(model.BuildInput{Tags: in})
}

func mustParse(t *testing.T, data string) *Policy {
	t.Helper()
	p, err := Parse([]byte(data), DefaultFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Ref = "refs/heads/main"
	return p
}

// event returns the event of tag in s.
func event(t *testing.T, s *model.State, tag string) *model.Event {
	t.Helper()
	parsed, _ := tagname.Parse(tag)
	for _, e := range s.Artifact(parsed.Artifact).Events() {
		if e.Tag == tag {
			return e
		}
	}
	t.Fatalf("no event %s", tag)
	return nil
}

func messages(errs []*model.PolicyError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestCheckAfter(t *testing.T) {
	t.Parallel()
	p := mustParse(t, "stages:\n  prod: {after: [staging, qa]}\n")
	s := state(t,
		"m@v1.0.0 c1", "m@v1.1.0 c2", "m@v1.2.0 c3",
		"m#staging#1 c1",
		"m#prod#2 c1",             // conforms: v1.0.0 was in staging
		"m#prod#3 c2",             // breaks: v1.1.0 never was
		"m#qa#4 c2",               // too late for #3
		"m#qa#5 c3", "m#qa!#6 c3", // held, then unassigned: still held
	)
	a := s.Artifact("m")
	if errs := p.CheckEvent(a, event(t, s, "m#prod#2"), nil); errs != nil {
		t.Errorf("m#prod#2: %v", messages(errs))
	}
	errs := p.CheckEvent(a, event(t, s, "m#prod#3"), nil)
	if len(errs) != 1 || errs[0].Error() != "prod requires a version that was in qa or staging: v1.1.0 never was" {
		t.Fatalf("m#prod#3: %v", messages(errs))
	}
	e := errs[0]
	if e.Rule != model.RuleAfter || e.Artifact != "m" || e.Version != "v1.1.0" || e.Stage != "prod" || e.Tag != "m#prod#3" ||
		e.File != DefaultFile || e.Ref != "refs/heads/main" || e.Code != "" {
		t.Errorf("m#prod#3: fields %+v", e)
	}
	// Planned now, v1.1.0 was in qa (#4) and v1.2.0 was in qa (#5, #6).
	for _, v := range []struct{ version, commit string }{{"v1.1.0", "c2"}, {"v1.2.0", "c3"}, {"v1.0.0", "c1"}} {
		if errs := p.CheckPlanned(a, "m", v.version, v.commit, "prod", false); errs != nil {
			t.Errorf("planned %s: %v", v.version, messages(errs))
		}
	}
	// A version being registered, an artifact without tags.
	if errs := p.CheckPlanned(a, "m", "v2.0.0", "c9", "prod", false); len(errs) != 1 || errs[0].Rule != model.RuleAfter {
		t.Errorf("planned v2.0.0: %v", messages(errs))
	}
	if errs := p.CheckPlanned(nil, "new", "v0.0.1", "c1", "prod", false); len(errs) != 1 ||
		errs[0].Error() != "prod requires a version that was in qa or staging: v0.0.1 never was" {
		t.Errorf("planned for a new artifact: %v", messages(errs))
	}
	// A pushed tag not in the state comes after all of its events.
	pushed := &model.Event{Kind: model.KindAssignment, Artifact: "m", Version: "v1.1.0", Commit: "c2", Stage: "prod", Tag: "m#prod#7"}
	if errs := p.CheckEvent(a, pushed, nil); errs != nil {
		t.Errorf("pushed m#prod#7: %v", messages(errs))
	}
	// Stages without rules, and other events, conform.
	for _, tag := range []string{"m#staging#1", "m#qa!#6", "m@v1.0.0"} {
		if errs := p.CheckEvent(a, event(t, s, tag), nil); errs != nil {
			t.Errorf("%s: %v", tag, messages(errs))
		}
	}
}

func TestCheckPrerelease(t *testing.T) {
	t.Parallel()
	p := mustParse(t, "stages:\n  prod: {prerelease: false}\nartifacts:\n  beta: {stages: {prod: {prerelease: true}}}\n")
	s := state(t, "m@v1.0.0-rc.1 c1", "m#prod#1 c1", "m@v1.0.0+build.5 c2", "m#prod#2 c2", "beta@v1.0.0-rc.1 c1", "beta#prod#1 c1")
	errs := p.CheckEvent(s.Artifact("m"), event(t, s, "m#prod#1"), nil)
	if got := messages(errs); len(got) != 1 || got[0] != "prod takes no pre-release versions: v1.0.0-rc.1 is one" || errs[0].Rule != model.RulePrerelease {
		t.Errorf("m#prod#1: %v", got)
	}
	for _, tag := range []string{"m#prod#2", "beta#prod#1"} {
		parsed, _ := tagname.Parse(tag)
		if errs := p.CheckEvent(s.Artifact(parsed.Artifact), event(t, s, tag), nil); errs != nil {
			t.Errorf("%s: %v", tag, messages(errs))
		}
	}
	// A version named by its commit (assigned without registration) is no pre-release.
	if errs := p.CheckPlanned(nil, "m", "0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567", "prod", false); errs != nil {
		t.Errorf("hexsha version: %v", messages(errs))
	}
}

func TestCheckTaggers(t *testing.T) {
	t.Parallel()
	p := mustParse(t, "stages:\n  prod: {taggers: [\"*@example.com\", ops@partner.org]}\n")
	s := state(t, "m@v1.0.0 c1", "m#prod#1 c1 Eve@Example.COM", "m#prod#2 c1 ops@partner.org", "m#prod#3 c1 eve@evil.com", "m#prod#4 c1 -")
	a := s.Artifact("m")
	for _, tag := range []string{"m#prod#1", "m#prod#2"} {
		if errs := p.CheckEvent(a, event(t, s, tag), nil); errs != nil {
			t.Errorf("%s: %v", tag, messages(errs))
		}
	}
	errs := p.CheckEvent(a, event(t, s, "m#prod#3"), nil)
	if got := messages(errs); len(got) != 1 || got[0] != `prod takes tags by *@example.com or ops@partner.org only: tag "m#prod#3" is by eve@evil.com` {
		t.Errorf("m#prod#3: %v", got)
	}
	e := event(t, s, "m#prod#4")
	e.AuthorEmail = ""
	if got := messages(p.CheckEvent(a, e, nil)); len(got) != 1 || !strings.HasSuffix(got[0], "is by nobody known (it has no tagger e-mail)") {
		t.Errorf("no tagger: %v", got)
	}
	// The tagger is known once the tag exists: CheckPlanned does not judge it.
	if errs := p.CheckPlanned(a, "m", "v1.0.0", "c1", "prod", false); errs != nil {
		t.Errorf("planned: %v", messages(errs))
	}
	made := &model.Event{Kind: model.KindAssignment, Artifact: "m", Version: "v1.0.0", Commit: "c1", Stage: "prod", Tag: "m#prod#5", AuthorEmail: "x@y.z"}
	if got := messages(p.CheckEvent(a, made, nil)); len(got) != 1 || got[0] != "prod takes tags by *@example.com or ops@partner.org only: the assignment's tag is by x@y.z" {
		t.Errorf("made: %v", got)
	}
}

func TestCheckSigned(t *testing.T) {
	t.Parallel()
	p := mustParse(t, "stages:\n  prod: {signed: true, signers: [ops@example.com, \"SHA256:abc\"]}\n  qa: {signed: true}\n")
	s := state(t, "m@v1.0.0 c1", "m#prod#1 c1", "m#qa#2 c1")
	a := s.Artifact("m")
	prod, qa := event(t, s, "m#prod#1"), event(t, s, "m#qa#2")
	tests := []struct {
		name  string
		e     *model.Event
		sig   *Signature
		want  string
		rule  string
		valid bool
	}{
		{"not verified", prod, nil, `prod requires a signed tag: tag "m#prod#1" is not signed`, model.RuleSigned, false},
		{"unsigned", prod, &Signature{}, `prod requires a signed tag: tag "m#prod#1" is not signed`, model.RuleSigned, false},
		{"bad", prod, &Signature{Signed: true, Reason: "No principal matched."},
			`prod requires a signed tag whose signature verifies: the signature of tag "m#prod#1" does not (No principal matched.)`, model.RuleSigned, false},
		{"bad without reason", prod, &Signature{Signed: true},
			`prod requires a signed tag whose signature verifies: the signature of tag "m#prod#1" does not (git gave no reason)`, model.RuleSigned, false},
		{"other signer", prod, &Signature{Signed: true, Verified: true, Signers: []string{"dev@example.com", "SHA256:def"}},
			`prod requires a signature by ops@example.com or SHA256:abc: tag "m#prod#1" is signed by dev@example.com`, model.RuleSigners, false},
		{"no identity", prod, &Signature{Signed: true, Verified: true},
			`prod requires a signature by ops@example.com or SHA256:abc: tag "m#prod#1" is signed by a key that names no signer`, model.RuleSigners, false},
		{"principal", prod, &Signature{Signed: true, Verified: true, Signers: []string{"ops@example.com"}}, "", "", true},
		{"fingerprint", prod, &Signature{Signed: true, Verified: true, Signers: []string{"other", "sha256:ABC"}}, "", "", true},
		{"any signer", qa, &Signature{Signed: true, Verified: true}, "", "", true},
	}
	for _, tc := range tests {
		errs := p.CheckEvent(a, tc.e, tc.sig)
		if tc.valid {
			if errs != nil {
				t.Errorf("%s: %v", tc.name, messages(errs))
			}
			continue
		}
		if len(errs) != 1 || errs[0].Error() != tc.want || errs[0].Rule != tc.rule {
			t.Errorf("%s: %v, want %q (%s)", tc.name, messages(errs), tc.want, tc.rule)
		}
	}
	// Planned: the write must sign; the signer is judged on the tag made.
	errs := p.CheckPlanned(a, "m", "v1.0.0", "c1", "prod", false)
	if len(errs) != 1 || errs[0].Error() != "prod requires a signed tag: sign the assignment" || errs[0].Code != model.CodePolicyUnsigned {
		t.Errorf("planned unsigned: %v", messages(errs))
	}
	if errs := p.CheckPlanned(a, "m", "v1.0.0", "c1", "prod", true); errs != nil {
		t.Errorf("planned signed: %v", messages(errs))
	}
}

// Every rule an event breaks is reported, in the order of the rules.
func TestCheckAllRules(t *testing.T) {
	t.Parallel()
	p := mustParse(t, issueExample)
	s := state(t, "m@v2.0.0-rc.1 c1", "m#prod#1 c1 eve@evil.com")
	errs := p.CheckEvent(s.Artifact("m"), event(t, s, "m#prod#1"), &Signature{})
	var rules []string
	for _, e := range errs {
		rules = append(rules, e.Rule)
	}
	if got := strings.Join(rules, " "); got != "after prerelease taggers signed" {
		t.Errorf("rules broken: %s (%v)", got, messages(errs))
	}
	for _, e := range errs {
		if !strings.Contains(e.Error(), "prod") {
			t.Errorf("%q does not name the stage", e)
		}
	}
}

func TestOrList(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "a": "a", "a b": "a or b", "a b c": "a, b or c"} {
		if got := orList(strings.Fields(in)); got != want {
			t.Errorf("orList(%q) = %q, want %q", in, got, want)
		}
	}
}
