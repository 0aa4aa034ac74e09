package cisim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// policyOrigin builds, once, a bare repository whose main holds a policy
// (prod only after staging) and a feature branch that relaxes it;
// churn@v1.0.0 went through staging to prod (churn#prod#2, conforming),
// and churn@v2.0.0 was tagged into prod on the feature branch's commit by
// hand (churn#prod#3, a violation). Shared by the tests (read only).
var policyOrigin = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gto-cisim-policy-")
	if err != nil {
		return "", err
	}
	origin := filepath.Join(dir, "origin.git")
	return origin, buildPolicyOrigin(dir, origin)
})

// PolicyOrigin returns the path of the policy origin.
func PolicyOrigin(t testing.TB) string {
	t.Helper()
	dir, err := policyOrigin()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func buildPolicyOrigin(dir, origin string) error {
	work := filepath.Join(dir, "work")
	env := gitEnv(dir)
	script := `set -e
git init -q --bare -b main "$ORIGIN"
git init -q -b main "$WORK"
cd "$WORK"
printf 'stages:\n  prod: {after: [staging]}\n' >gto-policy.yaml
git add gto-policy.yaml && git commit -q -m policy
"$GTO" register churn --version v1.0.0 >/dev/null
"$GTO" assign churn --version v1.0.0 --stage staging >/dev/null
"$GTO" assign churn --version v1.0.0 --stage prod >/dev/null
git checkout -q -b feature
printf 'stages: {}\n' >gto-policy.yaml
git commit -q -am 'relax the policy'
"$GTO" register churn --version v2.0.0 >/dev/null
git tag -a -m 'Assigning stage prod to artifact churn version v2.0.0' 'churn#prod#3' HEAD
git push -q "$ORIGIN" main feature --tags
`
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(env, "ORIGIN="+origin, "WORK="+work, "GTO="+gtoBin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return &buildError{err, string(out)}
	}
	return nil
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// TestActionVerify: with verify, the action fetches the tip of origin's
// default branch and fails, with no outputs, on a tag that breaks its
// policy, even though the tagged commit relaxes the policy; a conforming
// tag goes through; without verify nothing is judged.
func TestActionVerify(t *testing.T) {
	a := loadAction(t)
	o := PolicyOrigin(t)
	t.Run("conforming", func(t *testing.T) {
		t.Parallel()
		ref := "refs/tags/churn#prod#2"
		r, out := runOnPath(t, a, Checkout(t, o, ref), ref, map[string]string{"verify": "true"})
		if r.Failed != "" || out["version"] != "v1.0.0" || out["stage"] != "prod" {
			t.Fatalf("failed %q, outputs %q\n%s", r.Failed, out, r.Log.String())
		}
	})
	t.Run("violating", func(t *testing.T) {
		t.Parallel()
		ref := "refs/tags/churn#prod#3"
		work := Checkout(t, o, ref)
		r, out := runOnPath(t, a, work, ref, map[string]string{"verify": "true"})
		if r.Failed != "Read the tag" || out["is-gto"] != "" || out["version"] != "" {
			t.Fatalf("failed %q, outputs %q\n%s", r.Failed, out, r.Log.String())
		}
		if !strings.Contains(r.Log.String(), "❌ Prod requires a version that was in staging: v2.0.0 never was") {
			t.Errorf("log:\n%s", r.Log.String())
		}
		if head := gitIn(t, work, gitEnv(work), "symbolic-ref", "refs/remotes/origin/HEAD"); strings.TrimSpace(head) != "refs/remotes/origin/main" {
			t.Errorf("origin/HEAD = %q", head)
		}
		r, out = runOnPath(t, a, Checkout(t, o, ref), ref, nil)
		if r.Failed != "" || out["version"] != "v2.0.0" {
			t.Errorf("without verify: failed %q, outputs %q\n%s", r.Failed, out, r.Log.String())
		}
	})
}

// TestGitLabTemplateVerify is TestActionVerify for the GitLab template.
func TestGitLabTemplateVerify(t *testing.T) {
	o := PolicyOrigin(t)
	job := loadTemplate(t, map[string]string{"install": "false", "verify": "true"})["gto"]
	for _, tc := range []struct {
		tag, defaultBranch string
		ok                 bool
	}{{"churn#prod#2", "main", true}, {"churn#prod#3", "main", false}, {"churn#prod#3", "", false}} {
		work := Checkout(t, o, "refs/tags/"+tc.tag)
		res := runGitLabJob(t, job, work, map[string]string{"CI_COMMIT_TAG": tc.tag, "CI_DEFAULT_BRANCH": tc.defaultBranch, "PATH": withGTO()})
		switch {
		case tc.ok && (res.err != nil || res.dotenv["GTO_VERSION"] != "v1.0.0"):
			t.Errorf("%s: %v, report %q\n%s", tc.tag, res.err, res.dotenv, res.log)
		case !tc.ok && (res.err == nil || res.dotenv != nil || !strings.Contains(res.log, "❌ Prod requires a version that was in staging: v2.0.0 never was")):
			t.Errorf("%s (default branch %q): %v, report %q\n%s", tc.tag, tc.defaultBranch, res.err, res.dotenv, res.log)
		}
	}
}
