package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The GitHub Action benchmark (go run ./bench -action): on the 50,000-tag
// "large" registry as origin, in a shallow clone of one pushed tag as
// actions/checkout leaves it, time
//
//	A, the action: its fetch step and its gto step, the shell read from
//	   action.yml (gto ci refspecs, a --depth=1 fetch of the artifact's
//	   tags, one gto ci github);
//	B, what the Python gto-action does: delete every local tag, git fetch
//	   --tags, then gto check-ref four times (--name, --version, --event,
//	   --stage), with this gto (no Python start-up in B's time).
//
// Each run starts from a fresh copy of the clone (the copy is in both
// times), so every run fetches what a CI job would. The two scripts are
// written to bench/.cache/action/ and printed, for any timer to run side
// by side; the harness itself runs them in turn (A B A B ...) and prints
// the medians and their ratio.

// actionTag is the pushed tag: an assignment of an artifact of "large".
var actionTag = artifactName(250) + "#prod#3"

func runAction(runs int, gtoBin string) error {
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return err
	}
	gtoBin, err := buildGTO(gtoBin)
	if err != nil {
		return err
	}
	origin, err := ensureRepo(Shapes["large"])
	if err != nil {
		return err
	}
	dir, _ := filepath.Abs(filepath.Join(cacheRoot, "action"))
	os.RemoveAll(dir)
	checkout := filepath.Join(dir, "checkout")
	ref := "refs/tags/" + actionTag
	if err := os.MkdirAll(checkout, 0o755); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"init", "-q"}, {"remote", "add", "origin", "file://" + origin},
		{"fetch", "-q", "--no-tags", "--depth=1", "origin", "+" + ref + ":" + ref},
		{"checkout", "-q", "--detach", ref},
	} {
		if err := gitRun(checkout, nil, args...); err != nil {
			return err
		}
	}
	fetchStep, gtoStep, err := actionSteps()
	if err != nil {
		return err
	}
	env := fmt.Sprintf("export GTO_ACTION_BIN=%s GTO_ACTION_REF='%s' GTO_ACTION_SHOW=false GTO_ACTION_HISTORY=false GTO_ACTION_ALLOW_UNREGISTERED=false\n"+
		"export GITHUB_OUTPUT=\"$work.out\" GITHUB_STEP_SUMMARY=\"$work.md\"\n", gtoBin, ref)
	prologue := "set -euo pipefail\nwork=$(mktemp -d)/work\ncp -a " + checkout + " \"$work\"\ncd \"$work\"\n" + env
	epilogue := "cd / && rm -rf \"$(dirname \"$work\")\"\n"
	a := prologue + "bash -eo pipefail <<'FETCH' >/dev/null\n" + fetchStep + "FETCH\nbash -eo pipefail <<'GTO' >/dev/null\n" + gtoStep + "GTO\n" +
		"grep -q '^assignment$' \"$work.out\"\n" + epilogue
	b := prologue + "git tag -l | xargs git tag -d >/dev/null\ngit fetch -q --tags origin\n" +
		fmt.Sprintf("for f in --name --version --event --stage; do %s check-ref \"$GTO_ACTION_REF\" $f >/dev/null; done\n", gtoBin) +
		"test \"$(git tag -l | wc -l)\" -ge 50000\n" + epilogue
	scriptA, scriptB := filepath.Join(dir, "action.sh"), filepath.Join(dir, "gto-action.sh")
	if err := os.WriteFile(scriptA, []byte(a), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(scriptB, []byte(b), 0o755); err != nil {
		return err
	}
	fmt.Printf("machine: %s/%s, %d CPUs, %s; origin: %s (50,000 tags), pushed tag %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), gitVersion(), origin, actionTag)
	fmt.Printf("A (the action): bash %s\nB (gto-action): bash %s\n\n", scriptA, scriptB)
	var ta, tb []time.Duration
	for i := 0; i < runs; i++ {
		for _, s := range []struct {
			script string
			into   *[]time.Duration
		}{{scriptA, &ta}, {scriptB, &tb}} {
			cmd := exec.Command("bash", s.script)
			cmd.Env = benchEnv()
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%s: %v\n%s", s.script, err, out.String())
			}
			*s.into = append(*s.into, time.Since(start))
		}
	}
	ma, mb := median(ta), median(tb)
	fmt.Println("| variant | median of", runs, "runs |\n| --- | ---: |")
	fmt.Printf("| A: the action (fetch of one artifact's tags + one gto ci github) | %s |\n", ms(ma))
	fmt.Printf("| B: gto-action (delete all tags + git fetch --tags + 4 check-ref) | %s |\n", ms(mb))
	fmt.Printf("\nB / A = %.1f×\n", float64(mb)/float64(ma))
	return nil
}

// actionSteps reads the shell of the fetch step and of the gto step of
// action.yml.
func actionSteps() (fetch, gto string, err error) {
	b, err := os.ReadFile("action.yml")
	if err != nil {
		return "", "", fmt.Errorf("run go run ./bench -action from the repository root: %w", err)
	}
	var a struct {
		Runs struct {
			Steps []struct {
				ID, Name, Run string
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		return "", "", fmt.Errorf("action.yml: %w", err)
	}
	for _, s := range a.Runs.Steps {
		switch {
		case s.ID == "gto":
			gto = s.Run
		case strings.HasPrefix(s.Name, "Fetch"):
			fetch = s.Run
		}
	}
	if fetch == "" || gto == "" {
		return "", "", fmt.Errorf("action.yml has no fetch step or no gto step")
	}
	return fetch, gto, nil
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
