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

// parseGitHubFile reads $GITHUB_OUTPUT (or $GITHUB_ENV) with the rules
// GitHub documents and its runner applies: each line is name=value, or
// name<<DELIMITER followed by the value's lines up to a line that is
// exactly DELIMITER (the newline before it is not part of the value). The
// form is the one whose marker ("=" or "<<") comes first; empty lines
// between entries are skipped; a missing delimiter is an error.
func parseGitHubFile(data string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(data, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		eq, hd := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq > 0 && (hd < 0 || eq < hd):
			out[line[:eq]] = line[eq+1:]
		case hd > 0:
			key, delim := line[:hd], line[hd+2:]
			if delim == "" {
				return nil, fmt.Errorf("line %d: empty delimiter", i+1)
			}
			var value []string
			found := false
			for i++; i < len(lines); i++ {
				if lines[i] == delim {
					found = true
					break
				}
				value = append(value, lines[i])
			}
			if !found {
				return nil, fmt.Errorf("matching delimiter %q not found for %q", delim, key)
			}
			out[key] = strings.Join(value, "\n")
		default:
			return nil, fmt.Errorf("line %d: invalid format %q", i+1, line)
		}
	}
	return out, nil
}

func TestParseGitHubFile(t *testing.T) {
	got, err := parseGitHubFile("a=1\nb<<EOF\nx=y\n\nEOF\nc=<<d\n\nd<<D\nD\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "1", "b": "x=y\n", "c": "<<d", "d": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"novalue\n", "k<<EOF\nno end\n", "=v\n"} {
		if _, err := parseGitHubFile(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// actionFile is action.yml, as far as the simulation reads it.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

// step is one step of a composite action or a workflow job.
type step struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
	With  map[string]string `yaml:"with"`
}

func loadAction(t testing.TB) *actionFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a
}

// runner is a simulated GitHub runner: its files, variables and the state
// of the steps run so far.
type runner struct {
	t       testing.TB
	dir     string // RUNNER_TEMP and the runner's files
	work    string // the checkout: the steps' working folder
	inputs  map[string]string
	env     map[string]string
	path    []string // prepended to PATH ($GITHUB_PATH)
	extra   []string // prepended to PATH after those (a test's fake tools)
	steps   map[string]map[string]string
	Log     strings.Builder // every step's stdout and stderr
	Failed  string          // the name of the step that failed, "" when none
	Summary string          // $GITHUB_STEP_SUMMARY
}

// runnerArch is RUNNER_ARCH of this machine.
func runnerArch() string {
	if runtime.GOARCH == "arm64" {
		return "ARM64"
	}
	return "X64"
}

func newRunner(t testing.TB, work, ref string) *runner {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "toolcache"), 0o755)
	r := &runner{t: t, dir: dir, work: work, steps: map[string]map[string]string{}, env: map[string]string{}}
	for _, kv := range gitEnv(dir) {
		k, v, _ := strings.Cut(kv, "=")
		r.env[k] = v
	}
	for k, v := range map[string]string{
		"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_REF": ref,
		"GITHUB_PATH": filepath.Join(dir, "path"), "GITHUB_ENV": filepath.Join(dir, "env"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"RUNNER_OS":           map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS],
		"RUNNER_ARCH":         runnerArch(), "RUNNER_TEMP": dir, "RUNNER_TOOL_CACHE": filepath.Join(dir, "toolcache"),
	} {
		r.env[k] = v
	}
	return r
}

var joinRE = regexp.MustCompile(`^join\(fromJSON\((.+)\),\s*('.*')\)$`)

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval evaluates the expressions the files use: 'literal', inputs.NAME,
// steps.ID.outputs.NAME, github.ref, a == b, a || b.
func (r *runner) eval(expr string) string {
	expr = strings.TrimSpace(expr)
	if parts := strings.Split(expr, "||"); len(parts) > 1 {
		for _, p := range parts {
			if v := r.eval(p); v != "" && v != "false" {
				return v
			}
		}
		return r.eval(parts[len(parts)-1])
	}
	if parts := strings.Split(expr, "&&"); len(parts) > 1 {
		for _, p := range parts {
			if v := r.eval(p); v == "" || v == "false" {
				return v
			}
		}
		return r.eval(parts[len(parts)-1])
	}
	if m := joinRE.FindStringSubmatch(expr); m != nil { // join(fromJSON(X), 'SEP')
		var list []string
		if err := json.Unmarshal([]byte(r.eval(m[1])), &list); err != nil {
			r.t.Fatalf("%s: fromJSON: %v", expr, err)
		}
		return strings.Join(list, r.eval(m[2]))
	}
	if l, rhs, ok := strings.Cut(expr, "=="); ok {
		return fmt.Sprint(r.eval(l) == r.eval(rhs))
	}
	switch {
	case strings.HasPrefix(expr, "'") && strings.HasSuffix(expr, "'"):
		return strings.ReplaceAll(expr[1:len(expr)-1], "''", "'")
	case strings.HasPrefix(expr, "inputs."):
		v, ok := r.inputs[strings.TrimPrefix(expr, "inputs.")]
		if !ok {
			r.t.Fatalf("expression %q: no such input", expr)
		}
		return v
	case strings.HasPrefix(expr, "steps."):
		f := strings.Split(expr, ".")
		if len(f) != 4 || f[2] != "outputs" {
			r.t.Fatalf("unsupported expression %q", expr)
		}
		return r.steps[f[1]][f[3]]
	case expr == "github.ref":
		return r.env["GITHUB_REF"]
	case expr == "github.token":
		return "ghs_test-token"
	}
	r.t.Fatalf("unsupported expression %q", expr)
	return ""
}

// interpolate replaces the ${{ }} expressions of s.
func (r *runner) interpolate(s string) string {
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		return r.eval(exprRE.FindStringSubmatch(m)[1])
	})
}

// runSteps runs steps as the runner does: each `if` evaluated, each env
// interpolated, each run script written to a file and run by `bash
// --noprofile --norc -eo pipefail FILE` with its own $GITHUB_OUTPUT; the
// first failure skips the remaining steps.
func (r *runner) runSteps(steps []step) {
	for i, s := range steps {
		if r.Failed != "" {
			return
		}
		if s.If != "" && r.eval(exprRE.ReplaceAllString(s.If, "$1")) != "true" {
			continue
		}
		if s.Uses != "" {
			r.t.Fatalf("step %q: uses %s (run the action with runAction)", s.Name, s.Uses)
		}
		if s.Shell != "bash" {
			r.t.Fatalf("step %q: shell %q, want bash (the one shell of every runner)", s.Name, s.Shell)
		}
		if strings.Contains(s.Run, "${{") {
			r.t.Fatalf("step %q: an expression in run: (pass values through env:, never into the script)", s.Name)
		}
		script := filepath.Join(r.dir, fmt.Sprintf("step-%d.sh", i))
		output := filepath.Join(r.dir, fmt.Sprintf("output-%d", i))
		os.WriteFile(script, []byte(s.Run), 0o644)
		os.WriteFile(output, nil, 0o644)
		env := []string{"GITHUB_OUTPUT=" + output}
		for k, v := range r.env {
			if k == "PATH" {
				v = strings.Join(append(append(append([]string(nil), r.path...), r.extra...), v), string(os.PathListSeparator))
			}
			env = append(env, k+"="+v)
		}
		for k, v := range s.Env {
			env = append(env, k+"="+r.interpolate(v))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = r.work
		cmd.Env = env
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		err := cmd.Run()
		fmt.Fprintf(&r.Log, "## %s\n%s", s.Name, log.String())
		if err != nil {
			r.Failed = s.Name
		}
		b, _ := os.ReadFile(output)
		outs, perr := parseGitHubFile(string(b))
		if perr != nil {
			r.t.Fatalf("step %q: $GITHUB_OUTPUT: %v\n%s", s.Name, perr, b)
		}
		if s.ID != "" {
			r.steps[s.ID] = outs
		}
		if b, err := os.ReadFile(r.env["GITHUB_PATH"]); err == nil {
			r.path = nil
			lines := strings.Fields(string(b))
			for j := len(lines) - 1; j >= 0; j-- { // the last added comes first
				r.path = append(r.path, lines[j])
			}
		}
	}
	b, _ := os.ReadFile(r.env["GITHUB_STEP_SUMMARY"])
	r.Summary = string(b)
}

// runAction runs action.yml with the inputs given (the others take their
// defaults) and returns the action's outputs.
func (r *runner) runAction(a *actionFile, with map[string]string) map[string]string {
	if a.Runs.Using != "composite" {
		r.t.Fatalf("runs.using is %q, want composite", a.Runs.Using)
	}
	r.inputs = map[string]string{}
	for name, in := range a.Inputs {
		r.inputs[name] = in.Default
	}
	for name, in := range a.Inputs {
		r.inputs[name] = r.interpolate(in.Default)
	}
	for k, v := range with {
		if _, ok := a.Inputs[k]; !ok {
			r.t.Fatalf("action.yml has no input %q", k)
		}
		r.inputs[k] = v
	}
	r.runSteps(a.Runs.Steps)
	out := map[string]string{}
	for name, o := range a.Outputs {
		out[name] = r.interpolate(o.Value)
	}
	return out
}
