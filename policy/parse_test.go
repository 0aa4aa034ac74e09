package policy

import (
	"slices"
	"strings"
	"testing"
)

// The schema of issue 12, as written there.
const issueExample = `stages:
  staging: {after: [dev]}
  prod:
    after: [staging]
    signed: true
    signers: [ops@example.com]
    taggers: ["*@example.com"]
    prerelease: false
artifacts:
  "experimental/*": {stages: {prod: {after: []}}}
`

func TestParseIssueExample(t *testing.T) {
	t.Parallel()
	p, err := Parse([]byte(issueExample), DefaultFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	prod := p.Rule("churn", "prod")
	want := Rule{Artifact: "churn", Stage: "prod", After: []string{"staging"}, Signed: true,
		Signers: []string{"ops@example.com"}, Taggers: []string{"*@example.com"}}
	if !equalRules(prod, want) {
		t.Errorf("Rule(churn, prod) = %+v, want %+v", prod, want)
	}
	// The override replaces after and keeps the other fields.
	exp := p.Rule("experimental/lstm", "prod")
	want.Artifact, want.After = "experimental/lstm", []string{}
	if !equalRules(exp, want) {
		t.Errorf("Rule(experimental/lstm, prod) = %+v, want %+v", exp, want)
	}
	// "*" does not cross "/", as in file globs.
	if deep := p.Rule("experimental/a/b", "prod"); len(deep.After) != 1 {
		t.Errorf("Rule(experimental/a/b, prod).After = %v: the glob matched across a slash", deep.After)
	}
	if r := p.Rule("churn", "staging"); !slices.Equal(r.After, []string{"dev"}) || r.Signed || !r.Prerelease {
		t.Errorf("Rule(churn, staging) = %+v", r)
	}
	if r := p.Rule("churn", "dev"); !r.Empty() {
		t.Errorf("Rule(churn, dev) = %+v, want no requirement", r)
	}
	if got := p.Stages(); !slices.Equal(got, []string{"prod", "staging"}) {
		t.Errorf("Stages = %v", got)
	}
	if !p.NeedsSignatures() {
		t.Error("NeedsSignatures = false")
	}
	var none *Policy
	if r := none.Rule("a", "prod"); !r.Empty() || none.NeedsSignatures() || none.Stages() != nil {
		t.Errorf("a nil policy has rules: %+v", r)
	}
}

func equalRules(a, b Rule) bool {
	return a.Artifact == b.Artifact && a.Stage == b.Stage && slices.Equal(a.After, b.After) && a.Signed == b.Signed &&
		slices.Equal(a.Signers, b.Signers) && slices.Equal(a.Taggers, b.Taggers) && a.Prerelease == b.Prerelease
}

func TestParseOverridesInFileOrder(t *testing.T) {
	t.Parallel()
	p, err := Parse([]byte(`stages:
  prod: {after: [staging], taggers: ["*@example.com"]}
artifacts:
  "nlp/*": {stages: {prod: {after: [qa]}}}
  "nlp/bert": {stages: {prod: {taggers: ["ml@example.com"]}, qa: {prerelease: false}}}
`), DefaultFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Rule("nlp/bert", "prod")
	if !slices.Equal(r.After, []string{"qa"}) || !slices.Equal(r.Taggers, []string{"ml@example.com"}) {
		t.Errorf("Rule(nlp/bert, prod) = %+v", r)
	}
	if r := p.Rule("nlp/bert", "qa"); r.Prerelease {
		t.Errorf("Rule(nlp/bert, qa) = %+v: the override of a stage without top-level rules is lost", r)
	}
	if r := p.Rule("nlp/gpt", "prod"); !slices.Equal(r.Taggers, []string{"*@example.com"}) {
		t.Errorf("Rule(nlp/gpt, prod) = %+v", r)
	}
}

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	for _, data := range []string{"", "# nothing yet\n", "---\n", "stages:\n", "stages: {}\nartifacts: {}\n", "stages:\n  prod:\n"} {
		p, err := Parse([]byte(data), DefaultFile, nil)
		if err != nil {
			t.Errorf("Parse(%q): %v", data, err)
			continue
		}
		if r := p.Rule("m", "prod"); !r.Empty() {
			t.Errorf("Parse(%q): Rule(m, prod) = %+v", data, r)
		}
	}
}

// Every error names the file and the line, in one sentence.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	allowed := []string{"dev", "staging", "prod"}
	tests := []struct {
		name, data string
		stages     []string
		want       string
	}{
		{"not yaml", "stages: [\n", nil, "gto-policy.yaml: line 1: did not find expected node content"},
		{"not a mapping", "- prod\n", nil, `gto-policy.yaml: line 1: the policy must be a mapping, got a list`},
		{"unknown top key", "stage:\n  prod: {}\n", nil, `gto-policy.yaml: line 1: unknown key "stage" in the policy (the keys are stages, artifacts)`},
		{"unknown rule key", "stages:\n  prod:\n    aftr: [staging]\n", nil,
			`gto-policy.yaml: line 3: unknown key "aftr" in the rules of stage "prod" (the keys are after, signed, signers, taggers, prerelease)`},
		{"stage not allowed", "stages:\n  staging: {}\n  prd: {}\n", allowed,
			`gto-policy.yaml: line 3: stage "prd" is not allowed by the configuration (allowed stages: dev, staging, prod)`},
		{"after stage not allowed", "stages:\n  prod:\n    after:\n      - qa\n", allowed,
			`gto-policy.yaml: line 4: stage "qa" is not allowed by the configuration (allowed stages: dev, staging, prod)`},
		{"no stage allowed", "stages:\n  prod: {}\n", []string{}, `gto-policy.yaml: line 2: stage "prod" is not allowed by the configuration (allowed stages: none)`},
		{"invalid stage name", "stages:\n  -prod: {}\n", nil, `gto-policy.yaml: line 2: invalid stage name "-prod": names start and end with a letter or digit and contain only letters, digits, "_", "-" and "/"`},
		{"after is not a list", "stages:\n  prod: {after: staging}\n", nil, `gto-policy.yaml: line 2: "after" must be a list, got "staging"`},
		{"after holds a mapping", "stages:\n  prod: {after: [{a: b}]}\n", nil, `gto-policy.yaml: line 2: "after" must be a list of names, got a mapping in it`},
		{"after itself", "stages:\n  prod: {after: [staging, prod]}\n", nil,
			`gto-policy.yaml: line 2: stage "prod" cannot require a version that was in "prod" itself: no version could enter it`},
		{"signed not a bool", "stages:\n  prod: {signed: yes}\n", nil, `gto-policy.yaml: line 2: "signed" must be true or false, got "yes"`},
		{"prerelease quoted", "stages:\n  prod: {prerelease: \"false\"}\n", nil, `gto-policy.yaml: line 2: "prerelease" must be true or false, got "false"`},
		{"signers without signed", "stages:\n  prod:\n    signers: [ops@example.com]\n", nil,
			`gto-policy.yaml: line 3: stage "prod" lists signers without signed: true: signers apply to signed tags only`},
		{"signers and signed false", "artifacts:\n  x:\n    stages:\n      prod: {signed: false, signers: [a]}\n", nil,
			`gto-policy.yaml: line 4: stage "prod" lists signers but says signed: false: signers apply to signed tags only`},
		{"signer with a blank", "stages:\n  prod: {signed: true, signers: [\"a b\"]}\n", nil,
			`gto-policy.yaml: line 2: signer "a b" holds a blank or a control character: no principal, fingerprint or e-mail does`},
		{"bad tagger glob", "stages:\n  prod: {taggers: [\"[a\"]}\n", nil, `gto-policy.yaml: line 2: tagger "[a" is not a valid glob`},
		{"empty tagger", "stages:\n  prod: {taggers: [\"\"]}\n", nil, `gto-policy.yaml: line 2: "taggers" must be a list of names, got "" in it`},
		{"bad artifact glob", "artifacts:\n  \"[x\": {}\n", nil, `gto-policy.yaml: line 2: artifact glob "[x" is not a valid glob`},
		{"empty artifact glob", "artifacts:\n  \"\": {}\n", nil, `gto-policy.yaml: line 2: an artifact glob cannot be empty`},
		{"unknown override key", "artifacts:\n  x:\n    stage: {}\n", nil, `gto-policy.yaml: line 3: unknown key "stage" in the rules of artifacts "x" (the keys are stages)`},
		{"override stage not allowed", "artifacts:\n  x: {stages: {qa: {}}}\n", allowed,
			`gto-policy.yaml: line 2: stage "qa" is not allowed by the configuration (allowed stages: dev, staging, prod)`},
		{"stages not a mapping", "stages: [prod]\n", nil, `gto-policy.yaml: line 1: stages must be a mapping, got a list`},
		{"rules not a mapping", "stages:\n  prod: [staging]\n", nil, `gto-policy.yaml: line 2: the rules of stage "prod" must be a mapping, got a list`},
		{"twice", "stages:\n  prod: {}\n  prod: {}\n", nil, `gto-policy.yaml: line 3: stages sets "prod" twice`},
		{"key twice", "stages:\n  prod: {signed: true, signed: false}\n", nil, `gto-policy.yaml: line 2: the rules of stage "prod" sets "signed" twice`},
		{"alias", "x: &a [dev]\nstages:\n  prod: {after: *a}\n", nil, `gto-policy.yaml: line 1: unknown key "x" in the policy (the keys are stages, artifacts)`},
		{"alias value", "stages:\n  dev: &a {}\n  prod: *a\n", nil, `gto-policy.yaml: line 3: aliases (*a) are not allowed in a policy`},
		{"key not a name", "stages:\n  [a]: {}\n", nil, `gto-policy.yaml: line 2: the keys of stages must be names, got a list`},
		{"cycle", "stages:\n  staging: {after: [prod]}\n  prod: {after: [staging]}\n", nil,
			`gto-policy.yaml: line 3: stages prod -> staging -> prod require each other: no version could ever enter them`},
		{"cycle in an override", "stages:\n  prod: {after: [staging]}\nartifacts:\n  x:\n    stages:\n      staging: {after: [prod]}\n", nil,
			`gto-policy.yaml: line 2: stages prod -> staging -> prod require each other for artifacts "x": no version could ever enter them`},
		{"second document", "stages: {}\n---\nstages: {}\n", nil, `gto-policy.yaml: line 3: a second YAML document is not allowed`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.data), DefaultFile, tc.stages)
			if err == nil {
				t.Fatalf("Parse succeeded, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("Parse error\n got %q\nwant %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the error spans lines: %q", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	t.Parallel()
	big := "# " + strings.Repeat("x", MaxFileSize) + "\n"
	_, err := Parse([]byte(big), "p.yaml", nil)
	if err == nil || err.Error() != "p.yaml is too large for a policy file (over 1024 KiB)" {
		t.Errorf("Parse of a large file: %v", err)
	}
	if err := CheckSize("p.yaml", 10); err != nil {
		t.Errorf("CheckSize(10) = %v", err)
	}
}

// BenchmarkParse: parsing a policy of the usual size (the issue's example).
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse([]byte(issueExample), DefaultFile, []string{"dev", "staging", "prod"}); err != nil {
			b.Fatal(err)
		}
	}
}
