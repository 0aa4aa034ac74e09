package registry

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/model"
)

const stagedPolicy = "stages:\n  prod: {after: [staging]}\n"

// newPolicyFake is a fake registry whose main branch holds the policy.
func newPolicyFake(t *testing.T, policyYAML string) (*fake, string) {
	t.Helper()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", map[string]string{"gto-policy.yaml": policyYAML})
	return f, c
}

func policyErr(t *testing.T, err error, rule string) *model.PolicyError {
	t.Helper()
	var pe *model.PolicyError
	if !errors.As(err, &pe) || pe.Rule != rule {
		t.Fatalf("error %v, want a *model.PolicyError for rule %s", err, rule)
	}
	if !errors.Is(err, model.ErrPolicy) || !errors.Is(err, model.ErrConflict) {
		t.Errorf("%v is not ErrPolicy and ErrConflict", err)
	}
	return pe
}

func TestPolicyAssignAfter(t *testing.T) {
	t.Parallel()
	f, c := newPolicyFake(t, stagedPolicy)
	ctx := t.Context()
	if _, err := f.reg.Register(ctx, RegisterOptions{Name: "m", Ref: c}); err != nil {
		t.Fatal(err)
	}
	before := f.tags()
	opts := AssignOptions{Name: "m", Version: "v0.0.1", Stage: "prod"}
	for _, force := range []bool{false, true} {
		opts.Force = force
		_, err := f.reg.Assign(ctx, opts)
		pe := policyErr(t, err, model.RuleAfter)
		if err.Error() != "prod requires a version that was in staging: v0.0.1 never was" ||
			pe.Artifact != "m" || pe.Version != "v0.0.1" || pe.Stage != "prod" || pe.Tag != "" || pe.File != "gto-policy.yaml" || pe.Ref != "refs/heads/main" {
			t.Errorf("force=%v: %v %+v", force, err, pe)
		}
		wantTags(t, "a refused assignment", f.tags(), before...)
	}
	if err := f.reg.CheckAssign(ctx, opts); err == nil || !errors.Is(err, model.ErrPolicy) {
		t.Errorf("CheckAssign = %v", err)
	}
	// An unregistered commit is registered and assigned at once: refused
	// whole, the registration too.
	c2 := f.repo.Commit("second", nil)
	if _, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Ref: c2, Stage: "prod"}); !errors.Is(err, model.ErrPolicy) ||
		err.Error() != "prod requires a version that was in staging: v0.0.2 never was" {
		t.Errorf("assign of an unregistered commit: %v", err)
	}
	wantTags(t, "a refused assignment with registration", f.tags(), before...)
	// Other stages, and prod after staging.
	if _, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "staging"}); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.CheckAssign(ctx, opts); err != nil {
		t.Errorf("CheckAssign after staging = %v", err)
	}
	if _, err := f.reg.Assign(ctx, opts); err != nil {
		t.Fatal(err)
	}
	wantTags(t, "after staging and prod", f.tags(), "m#prod#2", "m#staging#1", "m@v0.0.1")
}

// The policy at the tip of the default branch counts, not the one of the
// commit HEAD is on (a detached checkout of the tagged commit).
func TestPolicyFromTheDefaultBranch(t *testing.T) {
	t.Parallel()
	f, _ := newPolicyFake(t, stagedPolicy)
	ctx := t.Context()
	f.repo.Branch("relaxed", f.repo.Head())
	f.repo.Checkout("relaxed")
	relaxed := f.repo.Commit("relax the rules", map[string]string{"gto-policy.yaml": "stages: {}\n"})
	f.repo.Checkout("") // detached at the relaxed commit, as CI checks a tag out
	if _, err := f.reg.Register(ctx, RegisterOptions{Name: "m", Ref: relaxed}); err != nil {
		t.Fatal(err)
	}
	_, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "prod"})
	if pe := policyErr(t, err, model.RuleAfter); pe.Ref != "refs/heads/main" {
		t.Errorf("read at %s", pe.Ref)
	}
	p, err := f.reg.Policy(ctx)
	if err != nil || p == nil || p.Rule("m", "prod").Empty() {
		t.Fatalf("Policy = %+v, %v", p, err)
	}
	// PolicyRef names another revision.
	f.reg.opts.PolicyRef = "relaxed"
	if _, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "prod"}); err != nil {
		t.Errorf("with the relaxed branch's policy: %v", err)
	}
	f.reg.opts.PolicyRef = "nope"
	_, err = f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "dev"})
	var invalid *model.InvalidError
	if !errors.As(err, &invalid) || invalid.Code != model.CodePolicyRef || invalid.Value != "nope" ||
		err.Error() != `the revision "nope" to read the policy at names no commit` {
		t.Errorf("an unknown policy revision: %v", err)
	}
}

func TestPolicyNoDefaultBranch(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	ctx := t.Context()
	f.repo.Checkout("dev")
	c := f.repo.Commit("first", map[string]string{"gto-policy.yaml": stagedPolicy})
	f.repo.Tag("m@v0.0.1", c, "Registering")
	f.repo.Tag("m#prod#1", c, "Assigning")
	f.repo.Checkout("")
	// Writes and doctor find no policy; a verification must.
	if _, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "qa"}); err != nil {
		t.Errorf("assign: %v", err)
	}
	if p, err := f.reg.Policy(ctx); p != nil || err != nil {
		t.Errorf("Policy = %v, %v", p, err)
	}
	_, err := f.reg.CheckRefWith(ctx, CheckRefOptions{Ref: "m#prod#1", Verify: true})
	var invalid *model.InvalidError
	if !errors.As(err, &invalid) || invalid.Code != model.CodeNoDefaultBranch {
		t.Errorf("verify without a default branch: %v", err)
	}
	f.reg.opts.PolicyRef = "dev"
	if _, err := f.reg.CheckRefWith(ctx, CheckRefOptions{Ref: "m#prod#1", Verify: true}); !errors.Is(err, model.ErrPolicy) {
		t.Errorf("verify at dev: %v", err)
	}
}

func TestPolicySignedAssign(t *testing.T) {
	t.Parallel()
	f, c := newPolicyFake(t, "stages:\n  prod: {signed: true, signers: [ops@example.com]}\n  qa: {signed: true}\n")
	ctx := t.Context()
	if _, err := f.reg.Register(ctx, RegisterOptions{Name: "m", Ref: c}); err != nil {
		t.Fatal(err)
	}
	before := f.tags()
	yes, no := true, false
	for _, sign := range []*bool{nil, &no} {
		_, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "qa", Sign: sign})
		if pe := policyErr(t, err, model.RuleSigned); pe.Code != model.CodePolicyUnsigned || err.Error() != "qa requires a signed tag: sign the assignment" {
			t.Errorf("unsigned: %v", err)
		}
	}
	// The fake signs as fake@example.com: not one of prod's signers. The
	// tag object is made and judged; no ref is created.
	_, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "prod", Sign: &yes})
	policyErr(t, err, model.RuleSigners)
	if err.Error() != "prod requires a signature by ops@example.com: the assignment's tag is signed by fake@example.com" {
		t.Errorf("another signer: %v", err)
	}
	wantTags(t, "refused signed assignments", f.tags(), before...)
	if _, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "qa", Sign: &yes}); err != nil {
		t.Fatalf("signed qa: %v", err)
	}
	wantTags(t, "a signed assignment", f.tags(), "m#qa#1", "m@v0.0.1")
}

func TestPolicyTaggersAssign(t *testing.T) {
	t.Parallel()
	f, c := newPolicyFake(t, "stages:\n  prod: {taggers: [\"*@corp.com\"]}\nartifacts:\n  open: {stages: {prod: {taggers: [\"*@example.com\"]}}}\n")
	ctx := t.Context()
	for _, name := range []string{"m", "open"} {
		if _, err := f.reg.Register(ctx, RegisterOptions{Name: name, Ref: c}); err != nil {
			t.Fatal(err)
		}
	}
	before := f.tags()
	_, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "prod"})
	policyErr(t, err, model.RuleTaggers)
	if err.Error() != "prod takes tags by *@corp.com only: the assignment's tag is by fake@example.com" {
		t.Errorf("tagger: %v", err)
	}
	wantTags(t, "a refused tagger", f.tags(), before...)
	if _, err := f.reg.Assign(ctx, AssignOptions{Name: "open", Version: "v0.0.1", Stage: "prod"}); err != nil {
		t.Errorf("an artifact whose override allows the tagger: %v", err)
	}
}

func TestPolicyVerifyAndDoctor(t *testing.T) {
	t.Parallel()
	f, c := newPolicyFake(t, "stages:\n  prod: {after: [staging], signed: true}\n  staging: {prerelease: false}\n")
	ctx := t.Context()
	f.repo.Tag("m@v1.0.0", c, "Registering")
	f.repo.Tag("m@v2.0.0-rc.1", f.repo.Commit("two", nil), "Registering")
	c2 := f.repo.Head()
	f.repo.Tag("m#staging#1", c, "Assigning")
	f.repo.SignedTag("m#prod#2", c, "Assigning", false) // conforms
	f.repo.Tag("m#staging#3", c2, "Assigning")          // a pre-release
	f.repo.Tag("m#prod#4", c2, "Assigning")             // unsigned, and staging was no valid way in
	f.repo.SignedTag("m#dev#5", c, "Assigning", true)   // no rule, but a bad signature

	for _, tag := range []string{"m#prod#2", "m#staging#1", "refs/tags/m@v1.0.0", "refs/heads/main"} {
		if _, err := f.reg.CheckRefWith(ctx, CheckRefOptions{Ref: tag, Verify: true}); err != nil {
			t.Errorf("verify %s: %v", tag, err)
		}
	}
	_, err := f.reg.CheckRefWith(ctx, CheckRefOptions{Ref: "m#staging#3", Verify: true})
	policyErr(t, err, model.RulePrerelease)
	_, err = f.reg.CheckRefWith(ctx, CheckRefOptions{Ref: "m#prod#4", Verify: true})
	policyErr(t, err, model.RuleSigned)
	_, err = f.reg.CheckRefWith(ctx, CheckRefOptions{Ref: "m#dev#5", Verify: true})
	if pe := policyErr(t, err, model.RuleSignature); err.Error() != `the signature of tag "m#dev#5" does not verify: bad signature` || pe.File != "" {
		t.Errorf("bad signature: %v", err)
	}
	// Without Verify nothing is judged.
	if e, err := f.reg.CheckRef(ctx, "m#prod#4"); err != nil || e == nil {
		t.Errorf("CheckRef = %v, %v", e, err)
	}
	all, err := f.reg.CheckTag(ctx, "m#prod#4")
	if err != nil || len(all) != 1 {
		t.Errorf("CheckTag(m#prod#4) = %v, %v", all, err)
	}
	if _, err := f.reg.CheckTag(ctx, "m#prod#9"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("CheckTag of a missing tag = %v", err)
	}

	rep, err := f.reg.Doctor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		if p.Code == model.ProblemPolicyViolation {
			got = append(got, p.Message)
		}
	}
	want := []string{
		`tag "m#staging#3" breaks the policy: staging takes no pre-release versions: v2.0.0-rc.1 is one`,
		`tag "m#prod#4" breaks the policy: prod requires a signed tag: tag "m#prod#4" is not signed`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("doctor:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A malformed policy on main: doctor says so, checks nothing more;
	// verification and writes fail.
	f.repo.Commit("break", map[string]string{"gto-policy.yaml": "stages:\n  prod: {aftr: []}\n"})
	rep, err = f.reg.Doctor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := rep.Problems[len(rep.Problems)-1]
	if last.Code != model.ProblemPolicy || last.Message != `main:gto-policy.yaml: line 2: unknown key "aftr" in the rules of stage "prod" (the keys are after, signed, signers, taggers, prerelease): gto checked no rule of the policy` {
		t.Errorf("doctor of a malformed policy: %+v", last)
	}
	for _, p := range rep.Problems {
		if p.Code == model.ProblemPolicyViolation {
			t.Errorf("doctor judged with a malformed policy: %+v", p)
		}
	}
	if _, err := f.reg.CheckRefWith(ctx, CheckRefOptions{Ref: "m#prod#2", Verify: true}); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("verify with a malformed policy: %v", err)
	}
	if _, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v1.0.0", Stage: "qa"}); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("assign with a malformed policy: %v", err)
	}
}

func TestPolicyCheckPush(t *testing.T) {
	t.Parallel()
	f, c := newPolicyFake(t, stagedPolicy)
	ctx := t.Context()
	f.repo.Tag("m@v1.0.0", c, "Registering")
	zero := strings.Repeat("0", 40)
	// Pushed objects: in the repository, without refs (as in quarantine).
	pushed := func(name, msg string) string {
		id := f.repo.Tag(name, c, msg)
		f.repo.DeleteTag(name)
		return id
	}
	staging := pushed("m#staging#1", "Assigning")
	prod := pushed("m#prod#2", "Assigning")
	other := pushed("x@v1.0.0", "Registering")

	// prod alone breaks the policy; staging before it in the same push does not.
	v, err := f.reg.CheckPush(ctx, []RefUpdate{{Ref: "refs/tags/m#prod#2", Old: zero, New: prod}})
	if err != nil || len(v) != 1 || v[0].Rule != model.RuleAfter || v[0].Tag != "m#prod#2" {
		t.Errorf("prod alone: %v, %v", v, err)
	}
	v, err = f.reg.CheckPush(ctx, []RefUpdate{{Ref: "refs/tags/m#staging#1", Old: zero, New: staging}, {Ref: "refs/tags/m#prod#2", Old: zero, New: prod}})
	if err != nil || len(v) != 0 {
		t.Errorf("staging and prod: %v, %v", v, err)
	}
	// Branches, deletions, other tags are not judged.
	v, err = f.reg.CheckPush(ctx, []RefUpdate{{Ref: "refs/heads/main", Old: zero, New: c}, {Ref: "refs/tags/m@v1.0.0", Old: c, New: zero},
		{Ref: "refs/tags/x@v1.0.0", Old: zero, New: other}, {Ref: "refs/tags/release", Old: zero, New: c}})
	if err != nil || len(v) != 0 {
		t.Errorf("other refs: %v, %v", v, err)
	}
	// A staging tag deleted by the same push no longer counts.
	f.repo.Tag("m#staging#1", c, "Assigning")
	v, err = f.reg.CheckPush(ctx, []RefUpdate{{Ref: "refs/tags/m#staging#1", Old: staging, New: zero}, {Ref: "refs/tags/m#prod#2", Old: zero, New: prod}})
	if err != nil || len(v) != 1 {
		t.Errorf("staging deleted, prod pushed: %v, %v", v, err)
	}
	if _, err := f.reg.CheckPush(ctx, []RefUpdate{{Ref: "refs/tags/m#prod#2", Old: zero, New: "not-an-id"}}); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("a bad object id: %v", err)
	}
	// No policy on the default branch: everything lands.
	f.repo.Commit("no policy", map[string]string{"gto-policy.yaml": ""})
	if v, err := f.reg.CheckPush(ctx, []RefUpdate{{Ref: "refs/tags/m#prod#2", Old: zero, New: prod}}); err != nil || len(v) != 0 {
		t.Errorf("without a policy: %v, %v", v, err)
	}
}

func TestPolicyFileVariable(t *testing.T) {
	t.Parallel()
	st := memstore.New(memstore.NewRepo(), memstore.Options{})
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k == "GTO_POLICY" {
				return v, true
			}
			return "", false
		}
	}
	reg := openStore(st, Options{Getenv: env("ci/rules.yaml"), Now: func() time.Time { return fakeClock }})
	c := st.Repo().Commit("first", map[string]string{"ci/rules.yaml": stagedPolicy, "gto-policy.yaml": "stages: {}\n"})
	st.Repo().Tag("m@v1.0.0", c, "Registering")
	if _, err := reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: "prod"}); !errors.Is(err, model.ErrPolicy) {
		t.Errorf("GTO_POLICY=ci/rules.yaml: %v", err)
	}
	for _, bad := range []string{"/etc/policy.yaml", "../x.yaml", ".", "a\\b", "x\ny"} {
		if _, err := readEnvironment(env(bad)); err == nil || !strings.HasPrefix(err.Error(), "GTO_POLICY must name a file inside the repository") {
			t.Errorf("GTO_POLICY=%q: %v", bad, err)
		}
	}
	if e, err := readEnvironment(env("./sub/../p.yaml")); err != nil || e.policyFile != "p.yaml" {
		t.Errorf("a path to clean: %+v, %v", e.policyFile, err)
	}
}

func TestPolicyErrorPaths(t *testing.T) {
	t.Parallel()
	f, c := newPolicyFake(t, strings.Repeat("# a long comment\n", 70000)) // over 1 MiB
	ctx := t.Context()
	f.repo.Tag("m@v1.0.0", c, "Registering")
	f.repo.LightTag("m#prod#1", c)
	_, err := f.reg.Policy(ctx)
	var invalid *model.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != model.FieldPolicy || err.Error() != "main:gto-policy.yaml is too large for a policy file (over 1024 KiB)" {
		t.Errorf("a large policy: %v", err)
	}
	f.repo.Commit("fix", map[string]string{"gto-policy.yaml": stagedPolicy})
	f.reg.opts.PolicyRef = "main\n"
	if _, err := f.reg.Policy(ctx); !errors.As(err, &invalid) || invalid.Code != model.CodePolicyRef {
		t.Errorf("a revision with a newline: %v", err)
	}
	f.reg.opts.PolicyRef = ""
	if _, err := f.reg.CheckTag(ctx, "release-1"); !errors.Is(err, model.ErrNotFound) || err.Error() != `"release-1" is not a tag in GTO format` {
		t.Errorf("CheckTag of another tag: %v", err)
	}
	// A lightweight tag is no event: nothing to judge.
	if v, err := f.reg.CheckTag(ctx, "refs/tags/m#prod#1"); err != nil || v != nil {
		t.Errorf("CheckTag of a lightweight tag: %v, %v", v, err)
	}
}
