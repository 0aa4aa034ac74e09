package cisim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// gitlabJob is a job of a GitLab CI file, as far as the tests read it.
type gitlabJob struct {
	Stage     string            `yaml:"stage"`
	Image     string            `yaml:"image"`
	Needs     []string          `yaml:"needs"`
	Variables map[string]string `yaml:"variables"`
	Script    []string          `yaml:"script"`
	Rules     []struct {
		If string `yaml:"if"`
	} `yaml:"rules"`
	Artifacts struct {
		Reports struct {
			Dotenv string `yaml:"dotenv"`
		} `yaml:"reports"`
	} `yaml:"artifacts"`
}

var inputRE = regexp.MustCompile(`\$\[\[\s*inputs\.([a-z0-9_-]+)\s*\]\]`)

// loadTemplate reads templates/gitlab/gto.yml as GitLab includes it: its
// spec (the first document) gives the inputs' defaults, overridden by
// inputs; each $[[ inputs.NAME ]] of the jobs (the second document) is
// replaced, then the jobs are parsed.
func loadTemplate(t testing.TB, inputs map[string]string) map[string]gitlabJob {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "templates", "gitlab", "gto.yml"))
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(string(b), "\n---\n")
	if !ok {
		t.Fatal("gto.yml: no spec header")
	}
	var spec struct {
		Spec struct {
			Inputs map[string]struct {
				Default string `yaml:"default"`
			} `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(head), &spec); err != nil {
		t.Fatalf("gto.yml spec: %v", err)
	}
	values := map[string]string{}
	for k, in := range spec.Spec.Inputs {
		values[k] = in.Default
	}
	for k, v := range inputs {
		if _, ok := values[k]; !ok {
			t.Fatalf("gto.yml has no input %q", k)
		}
		values[k] = v
	}
	body = inputRE.ReplaceAllStringFunc(body, func(m string) string {
		name := inputRE.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			t.Fatalf("gto.yml uses the undeclared input %q", name)
		}
		return v
	})
	jobs := map[string]gitlabJob{}
	if err := yaml.Unmarshal([]byte(body), &jobs); err != nil {
		t.Fatalf("gto.yml jobs: %v", err)
	}
	return jobs
}

// gitlabRun is the result of a simulated GitLab job.
type gitlabRun struct {
	err    error
	log    string
	dotenv map[string]string
}

// runGitLabJob runs the job's script lines in one POSIX shell (sh, as the
// runner's shell executor does with its generated script), in work, with
// the job's variables and the predefined ones of a tag pipeline.
func runGitLabJob(t testing.TB, job gitlabJob, work string, vars map[string]string) gitlabRun {
	t.Helper()
	script := "set -e\n" + strings.Join(job.Script, "\n")
	env := append(gitEnv(t.TempDir()), "GITLAB_CI=true", "CI=true", "CI_PROJECT_DIR="+work, "TMPDIR="+t.TempDir())
	for k, v := range job.Variables {
		env = append(env, k+"="+v)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = work
	cmd.Env = env
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	res := gitlabRun{err: cmd.Run(), log: log.String()}
	if job.Artifacts.Reports.Dotenv == "" {
		t.Fatal("the job has no dotenv report")
	}
	if b, err := os.ReadFile(filepath.Join(work, job.Artifacts.Reports.Dotenv)); err == nil {
		d, err := parseDotenv(string(b))
		if err != nil {
			t.Fatalf("%s: %v\n%s", job.Artifacts.Reports.Dotenv, err, b)
		}
		res.dotenv = d
	}
	return res
}

var dotenvKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// parseDotenv reads a dotenv report with the rules GitLab documents for
// artifacts:reports:dotenv: at most 5 KiB and 20 variables, one KEY=VALUE
// a line, keys of ASCII letters, digits and _, no empty lines, comments or
// multi-line values; quotes are kept as part of the value, leading and
// trailing blanks are stripped (so gto must not write any).
func parseDotenv(data string) (map[string]string, error) {
	if len(data) > 5*1024 {
		return nil, fmt.Errorf("%d bytes, over the 5 KiB limit", len(data))
	}
	out := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || !dotenvKey.MatchString(k) {
			return nil, fmt.Errorf("line %d: invalid format %q", i+1, line)
		}
		if strings.TrimSpace(v) != v {
			return nil, fmt.Errorf("line %d: blanks around the value would be stripped: %q", i+1, line)
		}
		out[k] = v
	}
	if len(out) > 20 {
		return nil, fmt.Errorf("%d variables, over the limit of 20", len(out))
	}
	return out, nil
}

// withGTO is PATH with the gto under test first (install: false).
func withGTO() string {
	return gtoDir + string(os.PathListSeparator) + systemPath()
}

// TestGitLabTemplate runs the template's script on a tag pipeline of each
// event kind, in a shallow clone of the 5,000-tag origin.
func TestGitLabTemplate(t *testing.T) {
	jobs := loadTemplate(t, map[string]string{"install": "false", "args": "--show --history"})
	job, ok := jobs["gto"]
	if !ok || len(job.Rules) != 1 || job.Rules[0].If != "$CI_COMMIT_TAG" {
		t.Fatalf("the template's gto job runs on tag pipelines only: %+v", jobs)
	}
	o := Origin(t)
	for _, tc := range churnEvents {
		t.Run(tc.event, func(t *testing.T) {
			t.Parallel()
			work := Checkout(t, o, "refs/tags/"+tc.tag)
			res := runGitLabJob(t, job, work, map[string]string{"CI_COMMIT_TAG": tc.tag, "PATH": withGTO()})
			if res.err != nil {
				t.Fatalf("%v\n%s", res.err, res.log)
			}
			d := res.dotenv
			want := map[string]string{"GTO_IS_GTO": "true", "GTO_TAG": tc.tag, "GTO_EVENT": tc.event, "GTO_NAME": "churn",
				"GTO_VERSION": tc.version, "GTO_STAGE": tc.stage, "GTO_TYPE": "model", "GTO_PATH": "models/churn.pkl",
				"GTO_LABELS": `["tabular","churn"]`}
			for k, v := range want {
				if d[k] != v {
					t.Errorf("%s = %q, want %q", k, d[k], v)
				}
			}
			if _, has := d["GTO_STAGE"]; has != (tc.stage != "") {
				t.Errorf("GTO_STAGE present: %v", has)
			}
			var desc string
			if err := json.Unmarshal([]byte(d["GTO_DESCRIPTION"]), &desc); err != nil || desc != Description {
				t.Errorf("GTO_DESCRIPTION %q decodes to %q (%v)", d["GTO_DESCRIPTION"], desc, err)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(d["GTO_JSON"]), &doc); err != nil || doc["tag"] != tc.tag {
				t.Errorf("GTO_JSON %q (%v)", d["GTO_JSON"], err)
			}
			tags := localTags(t, work)
			if len(tags) != len(churnTags) {
				t.Errorf("%d tags fetched, want the %d of churn", len(tags), len(churnTags))
			}
			if !strings.Contains(res.log, "│ churn ") {
				t.Errorf("--show --history not in the log:\n%s", res.log)
			}
		})
	}
}

// TestGitLabTemplateFailures: a missing registration fails the job and
// writes no report; so does a bad checksum at install time.
func TestGitLabTemplateFailures(t *testing.T) {
	o := Origin(t)
	work := Checkout(t, o, "refs/tags/ghost#prod#1")
	job := loadTemplate(t, map[string]string{"install": "false"})["gto"]
	res := runGitLabJob(t, job, work, map[string]string{"CI_COMMIT_TAG": "ghost#prod#1", "PATH": withGTO()})
	if res.err == nil || res.dotenv != nil || !strings.Contains(res.log, `❌ The version of "ghost#prod#1" is unknown`) {
		t.Errorf("missing registration: %v, report %q\n%s", res.err, res.dotenv, res.log)
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		return
	}
	bad := release(t, "v9.9.9", true)
	job = loadTemplate(t, map[string]string{"version": "v9.9.9", "base-url": "file://" + bad})["gto"]
	res = runGitLabJob(t, job, work, map[string]string{"CI_COMMIT_TAG": "churn@v1.0.0", "PATH": systemPath()})
	if res.err == nil || res.dotenv != nil || !strings.Contains(res.log, "ERROR: The archive gto_9.9.9_") || !strings.Contains(res.log, "gto was not installed.") {
		t.Errorf("bad checksum: %v, report %q\n%s", res.err, res.dotenv, res.log)
	}
	job = loadTemplate(t, map[string]string{"version": "v0.0.7", "base-url": "file://" + bad})["gto"]
	res = runGitLabJob(t, job, work, map[string]string{"CI_COMMIT_TAG": "churn@v1.0.0", "PATH": systemPath()})
	if res.err == nil || !strings.Contains(res.log, "ERROR: Could not download file://"+bad+"/download/v0.0.7/SHA256SUMS (") {
		t.Errorf("unknown version: %v\n%s", res.err, res.log)
	}
}

// TestGitLabTemplateInstall installs gto from a local release folder.
func TestGitLabTemplateInstall(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the template installs Linux and macOS releases")
	}
	rel := release(t, "v9.9.9", false)
	work := Checkout(t, Origin(t), "refs/tags/churn#prod#1")
	for _, version := range []string{"v9.9.9", "latest"} {
		job := loadTemplate(t, map[string]string{"version": version, "base-url": "file://" + rel})["gto"]
		res := runGitLabJob(t, job, work, map[string]string{"CI_COMMIT_TAG": "churn#prod#1", "PATH": systemPath()})
		if res.err != nil || res.dotenv["GTO_VERSION"] != "v1.0.0" || !strings.Contains(res.log, "Installed gto from gto_9.9.9_") {
			t.Errorf("%s: %v, report %q\n%s", version, res.err, res.dotenv, res.log)
		}
	}
}

// TestGitLabNotATag: the script on a pipeline without a tag (the rules
// keep the job off them; run anyway) reports GTO_IS_GTO=false.
func TestGitLabNotATag(t *testing.T) {
	work := Checkout(t, Origin(t), "refs/heads/main")
	job := loadTemplate(t, map[string]string{"install": "false"})["gto"]
	res := runGitLabJob(t, job, work, map[string]string{"PATH": withGTO()})
	if res.err != nil || len(res.dotenv) != 1 || res.dotenv["GTO_IS_GTO"] != "false" {
		t.Errorf("%v, report %q\n%s", res.err, res.dotenv, res.log)
	}
}
