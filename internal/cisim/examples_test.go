package cisim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// workflow is a GitHub Actions workflow, as far as the tests read it.
type workflow struct {
	On struct {
		Push struct {
			Tags []string `yaml:"tags"`
		} `yaml:"push"`
	} `yaml:"on"`
	Jobs map[string]struct {
		RunsOn string `yaml:"runs-on"`
		Steps  []step `yaml:"steps"`
	} `yaml:"jobs"`
}

func loadWorkflow(t *testing.T, name string) *workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "github", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(w.Jobs) != 1 {
		t.Fatalf("%s: %d jobs, want 1", name, len(w.Jobs))
	}
	return &w
}

// tagFilter is a GitHub tag filter as a regexp: "**" matches anything, "*"
// anything but "/", "?" one character (the patterns the examples use).
func tagFilter(pattern string) *regexp.Regexp {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch {
		case strings.HasPrefix(pattern[i:], "**"):
			b.WriteString(".*")
			i++
		case pattern[i] == '*':
			b.WriteString("[^/]*")
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	return regexp.MustCompile("^" + b.String() + "$")
}

func matchesAny(patterns []string, tag string) bool {
	for _, p := range patterns {
		if tagFilter(p).MatchString(tag) {
			return true
		}
	}
	return false
}

// runWorkflow runs the job of w on a push of tag: actions/checkout is a
// shallow checkout, gto-dev/gto is action.yml (installing from a local
// release folder), the other steps run as the runner runs them.
func runWorkflow(t *testing.T, w *workflow, tag string, path []string) *runner {
	t.Helper()
	ref := "refs/tags/" + tag
	rel := release(t, "v9.9.9", false)
	var r *runner
	for _, job := range w.Jobs {
		for _, s := range job.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "actions/checkout@"):
				r = newRunner(t, Checkout(t, Origin(t), ref), ref)
				r.extra = path
			case strings.HasPrefix(s.Uses, "gto-dev/gto@"):
				with := map[string]string{"base-url": "file://" + rel}
				for k, v := range s.With {
					with[k] = r.interpolate(v)
				}
				saved := r.inputs
				r.steps[s.ID] = r.runAction(loadAction(t), with)
				r.inputs = saved
			case s.Uses != "":
				t.Fatalf("step uses %s, which the simulation does not know", s.Uses)
			default:
				r.runSteps([]step{s})
			}
			if r.Failed != "" {
				return r
			}
		}
	}
	return r
}

// TestExampleDeployOnProd: the workflow deploys on an assignment to prod
// and only then.
func TestExampleDeployOnProd(t *testing.T) {
	w := loadWorkflow(t, "deploy-on-prod.yml")
	for tag, want := range map[string]bool{"churn#prod#2": true, "dir/model#prod#3": true, "churn#prod!#3": false, "churn@v1.0.0": false, "churn#staging#4": false} {
		if got := matchesAny(w.On.Push.Tags, tag); got != want {
			t.Errorf("the tag filter matches %s: %v, want %v", tag, got, want)
		}
	}
	r := runWorkflow(t, w, "churn#prod#2", nil)
	if r.Failed != "" {
		t.Fatalf("step %q failed:\n%s", r.Failed, r.Log.String())
	}
	if !strings.Contains(r.Log.String(), "Deploying churn v1.1.0 (models/churn.pkl at ") {
		t.Errorf("log:\n%s", r.Log.String())
	}
	if !strings.Contains(r.Summary, "| stage | `prod` |") {
		t.Errorf("summary:\n%s", r.Summary)
	}
}

// TestExampleReleaseNotes: a registration publishes a release whose notes
// hold the multi-line description; a deregistration publishes nothing.
func TestExampleReleaseNotes(t *testing.T) {
	w := loadWorkflow(t, "release-notes.yml")
	for tag, want := range map[string]bool{"churn@v1.1.0": true, "dir/model@v2.0.0": true, "churn@v1.0.0!": true, "churn#prod#2": false, "churn@deprecated": false} {
		if got := matchesAny(w.On.Push.Tags, tag); got != want {
			t.Errorf("the tag filter matches %s: %v, want %v", tag, got, want)
		}
	}
	// A fake gh records its arguments and the notes.
	bin := t.TempDir()
	record := filepath.Join(bin, "gh.log")
	os.WriteFile(filepath.Join(bin, "gh"), []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" >>"+record+"\nwhile [ $# -gt 0 ]; do [ \"$1\" = --notes-file ] && cat \"$2\" >>"+record+"; shift; done\necho \"token=$GH_TOKEN\" >>"+record+"\n"), 0o755)

	r := runWorkflow(t, w, "churn@v1.1.0", []string{bin})
	if r.Failed != "" {
		t.Fatalf("step %q failed:\n%s", r.Failed, r.Log.String())
	}
	got, _ := os.ReadFile(record)
	want := "release\ncreate\nchurn@v1.1.0\n--title\nchurn v1.1.0\n--notes-file\n" + filepath.Join(r.dir, "notes.md") + "\n--verify-tag\n" +
		"## churn v1.1.0\n\n" + Description + "\n\nType: model. Labels: tabular, churn.\ntoken=ghs_test-token\n"
	if string(got) != want {
		t.Errorf("gh got:\n%s\nwant:\n%s", got, want)
	}

	os.Remove(record)
	r = runWorkflow(t, w, "churn@v1.0.0!", []string{bin})
	if r.Failed != "" {
		t.Fatalf("step %q failed:\n%s", r.Failed, r.Log.String())
	}
	if _, err := os.Stat(record); err == nil {
		t.Error("a deregistration published a release")
	}
}

// gitlabCI is the example .gitlab-ci.yml.
type gitlabCI struct {
	Include []struct {
		Remote string            `yaml:"remote"`
		Inputs map[string]string `yaml:"inputs"`
	} `yaml:"include"`
	Deploy gitlabJob `yaml:"deploy-prod"`
}

// TestExampleGitLab: the example includes the template of this repository
// with inputs it declares, and its deploy job runs on prod assignments
// only, from the template's report.
func TestExampleGitLab(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "gitlab", ".gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var ci gitlabCI
	if err := yaml.Unmarshal(b, &ci); err != nil {
		t.Fatal(err)
	}
	if len(ci.Include) != 1 || !strings.HasSuffix(ci.Include[0].Remote, "/templates/gitlab/gto.yml") {
		t.Fatalf("include %+v", ci.Include)
	}
	inputs := ci.Include[0].Inputs
	loadTemplate(t, inputs) // every input is declared
	inputs["install"] = "false"
	template := loadTemplate(t, inputs)["gto"]
	if template.Stage != "build" {
		t.Errorf("the gto job runs in stage %q", template.Stage)
	}

	d := ci.Deploy
	if len(d.Rules) != 1 || len(d.Needs) != 1 || d.Needs[0] != "gto" {
		t.Fatalf("deploy-prod rules %+v", d.Rules)
	}
	// GitLab's rules use RE2, as Go's regexp: '$CI_COMMIT_TAG =~ /RE/'.
	m := regexp.MustCompile(`^\$CI_COMMIT_TAG =~ /(.*)/$`).FindStringSubmatch(d.Rules[0].If)
	if m == nil {
		t.Fatalf("rule %q", d.Rules[0].If)
	}
	re := regexp.MustCompile(m[1])
	for tag, want := range map[string]bool{"churn#prod#2": true, "dir/model#prod#12": true, "churn#prod!#3": false, "churn@v1.0.0": false, "churn#preprod#1": false, "churn#prod-eu#1": false} {
		if re.MatchString(tag) != want {
			t.Errorf("the rule matches %s: %v, want %v", tag, !want, want)
		}
	}

	work := Checkout(t, Origin(t), "refs/tags/churn#prod#2")
	res := runGitLabJob(t, template, work, map[string]string{"CI_COMMIT_TAG": "churn#prod#2", "PATH": withGTO()})
	if res.err != nil {
		t.Fatalf("%v\n%s", res.err, res.log)
	}
	vars := map[string]string{"CI_COMMIT_TAG": "churn#prod#2", "PATH": systemPath()}
	for k, v := range res.dotenv {
		vars[k] = v
	}
	d.Artifacts.Reports.Dotenv = "gto.env"
	res = runGitLabJob(t, d, work, vars)
	if res.err != nil || !strings.Contains(res.log, "Deploying churn v1.1.0 (models/churn.pkl at ") {
		t.Fatalf("deploy-prod: %v\n%s", res.err, res.log)
	}
	deployed, _ := os.ReadFile(filepath.Join(work, "deployed.txt"))
	var desc string
	raw, _ := os.ReadFile(filepath.Join(work, "description.json"))
	if err := json.Unmarshal(raw, &desc); err != nil || desc != Description || string(deployed) != "deployed churn@v1.1.0\n" {
		t.Errorf("deployed %q, description %q (%v)", deployed, desc, err)
	}
}
