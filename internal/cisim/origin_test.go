package cisim

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// gtoBin is the gto binary under test, built once by TestMain.
var gtoBin string

// gtoDir is the folder holding only gtoBin (put on PATH for install: false).
var gtoDir string

func TestMain(m *testing.M) {
	if runtime.GOOS == "windows" {
		fmt.Println("cisim: the runner simulation needs bash and a POSIX system; skipped")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "gto-cisim-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gtoDir = filepath.Join(dir, "bin")
	gtoBin = filepath.Join(gtoDir, "gto")
	build := exec.Command("go", "build", "-o", gtoBin, "github.com/gto-dev/gto/cmd/gto")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gto:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gitEnv is a sealed git environment: no user or system configuration,
// fixed identities.
func gitEnv(home string) []string {
	return []string{
		"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "PATH=" + systemPath(), "TZ=UTC", "LANG=C.UTF-8",
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Tom Tagger", "GIT_COMMITTER_EMAIL=tom@example.com",
		"GIT_AUTHOR_DATE=1640995200 +0000", "GIT_COMMITTER_DATE=1640995200 +0000",
	}
}

// systemPath is PATH without any folder holding a gto, so that a test
// sees the gto it means to (installed by the action, or gtoDir).
func systemPath() string {
	var keep []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "gto")); err == nil {
			continue
		}
		keep = append(keep, d)
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

func gitIn(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// Description is the description of churn in artifacts.yaml: what breaks
// key=value outputs and naive heredocs.
const Description = "Churn model.\nEOF\nkey=value == still the description\n  indented line\n\nlast line"

// fillerTags is how many tags the other artifacts of the origin hold.
const fillerTags = 5000

// churnTags are the tags of churn on the origin, in creation order; one of
// each event kind.
var churnTags = []string{
	"churn@v1.0.0", "churn#prod#1", "churn@v1.1.0", "churn#prod#2",
	"churn#prod!#3", "churn@v1.0.0!", "churn@deprecated",
}

// churnEvent is a tag of churn and the event it created.
type churnEvent struct{ tag, event, version, stage string }

// churnEvents are a tag of each event kind, for the tests that run on
// every kind.
var churnEvents = []churnEvent{
	{"churn@v1.1.0", "registration", "v1.1.0", ""},
	{"churn#prod#1", "assignment", "v1.0.0", "prod"},
	{"churn#prod!#3", "unassignment", "v1.1.0", "prod"},
	{"churn@v1.0.0!", "deregistration", "v1.0.0", ""},
	{"churn@deprecated", "deprecation", "", ""},
}

// origin is a bare repository with fillerTags tags of 100 other artifacts,
// the tags of churn, and ghost#prod#1: an assignment whose registration
// (ghost@v1.0.0) was never pushed. Built once, shared by the tests (read
// only).
var origin struct {
	once sync.Once
	dir  string
	err  error
}

// Origin returns the path of the shared origin.
func Origin(t testing.TB) string {
	t.Helper()
	origin.once.Do(func() {
		dir, err := os.MkdirTemp("", "gto-cisim-origin-")
		if err != nil {
			origin.err = err
			return
		}
		origin.dir = filepath.Join(dir, "origin.git")
		origin.err = buildOrigin(origin.dir, fillerTags)
	})
	if origin.err != nil {
		t.Fatal(origin.err)
	}
	return origin.dir
}

// buildOrigin writes the origin with one git fast-import stream: a single
// process, whatever the number of tags.
func buildOrigin(dir string, filler int) error {
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %v: %s", err, out)
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet", "--done")
	cmd.Env = gitEnv(dir)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	writeOrigin(w, filler)
	w.Flush()
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("fast-import: %v: %s", err, errb.String())
	}
	if out, err := exec.Command("git", "-C", dir, "pack-refs", "--all").CombinedOutput(); err != nil {
		return fmt.Errorf("pack-refs: %v: %s", err, out)
	}
	return nil
}

// writeOrigin writes the fast-import stream of the origin.
func writeOrigin(w io.Writer, filler int) {
	t := int64(1640995200)
	mark := 0
	commit := func(msg string, files map[string]string) int {
		mark++
		t += 60
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\n", mark)
		fmt.Fprintf(w, "author Ada Author <ada@example.com> %d +0000\ncommitter Ada Author <ada@example.com> %d +0000\n", t, t)
		fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
		for p, c := range files {
			fmt.Fprintf(w, "M 644 inline %s\ndata %d\n%s\n", p, len(c), c)
		}
		return mark
	}
	tag := func(name string, on int, msg string) {
		t++
		fmt.Fprintf(w, "tag %s\nfrom :%d\ntagger Tom Tagger <tom@example.com> %d +0000\ndata %d\n%s\n", name, on, t, len(msg), msg)
	}
	const artifacts = 100
	perArtifact := filler / artifacts
	versions := perArtifact / 2
	first := commit("Initial commit", map[string]string{"README.md": "# models\n"})
	marks := []int{first}
	for v := 1; v < versions; v++ {
		marks = append(marks, commit(fmt.Sprintf("models, revision %d", v), map[string]string{"models/rev.txt": fmt.Sprint(v)}))
	}
	for a := 0; a < artifacts; a++ {
		name := fmt.Sprintf("model-%03d", a)
		for v := 0; v < versions; v++ {
			tag(fmt.Sprintf("%s@v1.%d.0", name, v), marks[v], fmt.Sprintf("Registering artifact %s version v1.%d.0", name, v))
		}
		for i := 0; i < perArtifact-versions; i++ {
			v := i % versions
			tag(fmt.Sprintf("%s#%s#%d", name, []string{"dev", "staging", "prod"}[i%3], i+1), marks[v],
				fmt.Sprintf("Assigning stage to artifact %s version v1.%d.0", name, v))
		}
	}
	yaml := "churn:\n  type: model\n  path: models/churn.pkl\n  labels: [tabular, churn]\n  description: " + yamlQuote(Description) + "\nghost:\n  type: model\n"
	c1 := commit("Add the churn model", map[string]string{"artifacts.yaml": yaml, "models/churn.pkl": "v1\n"})
	tag("churn@v1.0.0", c1, "Registering artifact churn version v1.0.0")
	tag("churn#prod#1", c1, "Assigning stage prod to artifact churn version v1.0.0")
	tag("ghost#prod#1", c1, "Assigning stage prod to artifact ghost version v1.0.0")
	c2 := commit("Retrain churn", map[string]string{"models/churn.pkl": "v2\n"})
	tag("churn@v1.1.0", c2, "Registering artifact churn version v1.1.0")
	tag("churn#prod#2", c2, "Assigning stage prod to artifact churn version v1.1.0")
	tag("churn#prod!#3", c2, "Unassigning stage 'prod' to artifact 'churn' version 'v1.1.0'")
	tag("churn@v1.0.0!", c1, "Deregistering artifact churn version v1.0.0")
	tag("churn@deprecated", c2, "Deprecating artifact churn")
	fmt.Fprintln(w, "done")
}

// yamlQuote writes s as a YAML double-quoted scalar.
func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// Checkout clones origin into a new work folder as actions/checkout does
// for ref: an empty repository, one shallow fetch of that ref alone (no
// other tags), and a detached checkout. It returns the folder.
func Checkout(t testing.TB, originDir, ref string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	env := gitEnv(filepath.Dir(work))
	gitIn(t, filepath.Dir(work), env, "init", "-q", work)
	gitIn(t, work, env, "remote", "add", "origin", "file://"+originDir)
	local := "refs/remotes/origin/" + strings.TrimPrefix(ref, "refs/heads/")
	if strings.HasPrefix(ref, "refs/tags/") {
		local = ref
	}
	gitIn(t, work, env, "-c", "protocol.version=2", "fetch", "--no-tags", "--prune", "--no-recurse-submodules", "--depth=1", "origin", "+"+ref+":"+local)
	gitIn(t, work, env, "checkout", "-q", "--detach", local)
	return work
}

// localTags lists the tags of a clone.
func localTags(t testing.TB, work string) []string {
	t.Helper()
	return strings.Fields(gitIn(t, work, gitEnv(work), "for-each-ref", "--format=%(refname:strip=2)", "refs/tags"))
}
