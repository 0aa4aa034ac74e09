package cli_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gto-dev/gto/internal/cli"
)

// TestMain lets the test binary act as the gto binary inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gto": func() { os.Exit(cli.Main()) },
	})
}

// baseDate is 2022-01-01T00:00:00Z, the date of every script's first commit.
const baseDate = 1640995200

// TestScripts runs the end-to-end scenarios in testdata/script: one
// scenario per file, against the real command tree and real git.
//
// Extra commands available in scripts:
//
//	initrepo [dir]        git init -b main + a first commit "Initial commit" (README.md);
//	                      .home/, .tmp/ and want/ (expected outputs) are excluded from git
//	tick [seconds]        advance GIT_AUTHOR_DATE/GIT_COMMITTER_DATE (default 60 s)
//	commit MSG            commit every change of the work tree (after a tick)
//	tags                  print every tag: name, type, commit (7), subject
//	snapshot NAME         remember tags, artifacts.yaml, .gto and git status
//	unchanged NAME        fail unless all of that is as remembered
//	lines N FILE          write the numbers 1 to N to FILE, one a line (as
//	                      seq N >FILE would, without a process and without
//	                      megabytes of stdout in the script's log)
//
// $GTO is the path of the gto program, for scripts that run it with another
// PATH (exec $GTO ...); $REALGIT is the path of git, for scripts that put a
// fake git in front of it.
func TestScripts(t *testing.T) {
	// Each script runs in parallel with the others (testscript calls
	// t.Parallel); TestScripts itself is parallel too, so that the scripts
	// also run alongside the other parallel tests (TestStressConcurrentWriters)
	// instead of before them.
	t.Parallel()
	madeRepos.root, madeRepos.dirs = t.TempDir(), map[string]string{}
	t.Cleanup(func() { madeRepos.root = "" }) // after the last script
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		RequireExplicitExec: true,
		// GTO_UPDATE_SCRIPTS=1 rewrites the golden files of failing `cmp`
		// commands in place (review the diff before keeping it).
		UpdateScripts: os.Getenv("GTO_UPDATE_SCRIPTS") != "",
		Setup:         setupScript,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"initrepo":  cmdInitRepo,
			"tick":      cmdTick,
			"commit":    cmdCommit,
			"tags":      cmdTags,
			"snapshot":  cmdSnapshot,
			"unchanged": cmdUnchanged,
			"lines":     cmdLines,
		},
	})
}

func setupScript(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, ".home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	// No automatic housekeeping: every commit, fetch and push would start
	// `git maintenance run --auto` or `git gc --auto` (one more process
	// each, some 260 in a run of the scripts), and the repositories of a
	// script are far too small for it to do anything.
	gitconfig := "[user]\n\tname = Config User\n\temail = config@example.com\n[init]\n\tdefaultBranch = main\n" +
		"[tag]\n\tgpgSign = false\n[commit]\n\tgpgSign = false\n[advice]\n\tdetachedHead = false\n" +
		"[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n[receive]\n\tautoGC = false\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o644); err != nil {
		return err
	}
	// $GTO is the gto program itself, for scripts that change PATH (a
	// machine without git: env PATH=$WORK/nogit, then exec $GTO ...).
	gto, err := exec.LookPath("gto")
	if err != nil {
		return err
	}
	env.Setenv("GTO", gto)
	// $REALGIT is the git on PATH, for scripts that put a fake git in
	// front of it (an older git, which lacks some options).
	realGit, err := exec.LookPath("git")
	if err != nil {
		return err
	}
	env.Setenv("REALGIT", realGit)
	date := fmt.Sprintf("%d +0000", baseDate)
	for k, v := range map[string]string{
		"HOME":                home,
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Ada Author",
		"GIT_AUTHOR_EMAIL":    "ada@example.com",
		"GIT_COMMITTER_NAME":  "Tom Tagger",
		"GIT_COMMITTER_EMAIL": "tom@example.com",
		"GIT_AUTHOR_DATE":     date,
		"GIT_COMMITTER_DATE":  date,
		"TZ":                  "UTC",
		"LANG":                "C.UTF-8",
	} {
		env.Setenv(k, v)
	}
	return nil
}

// git runs git in the script's current directory.
func git(ts *testscript.TestScript, args ...string) string {
	return gitIn(ts, ts.MkAbs("."), args...)
}

func gitIn(ts *testscript.TestScript, dir string, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = scriptEnv(ts)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		ts.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"HOME", "PATH", "GIT_CONFIG_NOSYSTEM", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
		"GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "TZ", "LANG"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	return env
}

func cmdInitRepo(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! initrepo")
	}
	dir := ts.MkAbs(".")
	if len(args) > 0 {
		dir = ts.MkAbs(args[0])
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	gitDir := filepath.Join(dir, ".git")
	if _, err := os.Lstat(gitDir); err != nil {
		if made := madeRepo(ts); made != "" {
			if err := copyTree(made, gitDir); err != nil {
				ts.Fatalf("initrepo: %v", err)
			}
			writeReadme(ts, dir)
			// The copied index holds the stat data of another README.md:
			// refresh it, so that even the commands that trust it
			// (diff-files) see the clean tree a fresh commit leaves.
			gitIn(ts, dir, "update-index", "-q", "--refresh")
			return
		}
	}
	makeRepo(ts, dir)
}

// makeRepo is what initrepo does: a repository with one commit of README.md.
func makeRepo(ts *testscript.TestScript, dir string) {
	gitIn(ts, dir, "init", "-q", "-b", "main")
	// The script's HOME and TMPDIR live in $WORK, and so do the expected
	// outputs of the archive (want/): keep them out of the repository, so
	// that `commit` does not add them and golden files do not change hashes.
	exclude := filepath.Join(dir, ".git", "info", "exclude")
	if err := os.MkdirAll(filepath.Dir(exclude), 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(exclude, []byte("/.home/\n/.tmp/\n/want/\n"), 0o644); err != nil {
		ts.Fatalf("%v", err)
	}
	writeReadme(ts, dir)
	gitIn(ts, dir, "add", "README.md")
	gitIn(ts, dir, "commit", "-q", "-m", "Initial commit")
}

func writeReadme(ts *testscript.TestScript, dir string) {
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# test repository\n"), 0o644); err != nil {
		ts.Fatalf("%v", err)
	}
}

// madeRepos keeps the .git folder of one repository made by makeRepo for
// each git environment the scripts run initrepo in (names, dates, git
// configuration: what the bytes of the repository depend on), so that
// initrepo copies it (and refreshes the index: one git process) instead of
// running git init, add and commit again (three processes, in every
// script). TestScripts sets root and removes it after the last script.
var madeRepos struct {
	sync.Mutex
	root string
	dirs map[string]string
}

// madeRepo returns the .git folder made in the script's git environment
// (making it on first use), or "" outside TestScripts.
func madeRepo(ts *testscript.TestScript) string {
	key := strings.Join(scriptEnv(ts), "\n")
	key = strings.Replace(key, "HOME="+ts.Getenv("HOME")+"\n", "", 1)
	for _, f := range []string{".gitconfig", filepath.Join(".config", "git", "config")} {
		data, err := os.ReadFile(filepath.Join(ts.Getenv("HOME"), f))
		key += fmt.Sprintf("\n--- %s (%v)\n%s", f, err == nil, data)
	}
	madeRepos.Lock()
	defer madeRepos.Unlock()
	if madeRepos.root == "" {
		return ""
	}
	if d, ok := madeRepos.dirs[key]; ok {
		return d
	}
	dir := filepath.Join(madeRepos.root, strconv.Itoa(len(madeRepos.dirs)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	makeRepo(ts, dir)
	madeRepos.dirs[key] = filepath.Join(dir, ".git")
	return madeRepos.dirs[key]
}

// copyTree copies the folder src to dst (which must not exist), with the
// files' permissions.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.Mkdir(target, info.Mode().Perm())
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		default:
			return fmt.Errorf("cannot copy %s: not a file or a folder", path)
		}
	})
}

func cmdTick(ts *testscript.TestScript, neg bool, args []string) {
	step := int64(60)
	if len(args) > 0 {
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			ts.Fatalf("tick: %v", err)
		}
		step = n
	}
	cur, _ := strconv.ParseInt(strings.Fields(ts.Getenv("GIT_COMMITTER_DATE"))[0], 10, 64)
	date := fmt.Sprintf("%d +0000", cur+step)
	ts.Setenv("GIT_AUTHOR_DATE", date)
	ts.Setenv("GIT_COMMITTER_DATE", date)
}

func cmdCommit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: commit MSG")
	}
	cmdTick(ts, false, nil)
	git(ts, "add", "-A")
	git(ts, "commit", "-q", "--allow-empty", "-m", args[0])
}

func cmdTags(ts *testscript.TestScript, neg bool, args []string) {
	out := git(ts, "for-each-ref", "refs/tags", "--sort=refname",
		"--format=%(refname:short) %(objecttype) %(if)%(*objectname)%(then)%(*objectname:short=7)%(else)%(objectname:short=7)%(end) %(subject)")
	ts.Stdout().Write([]byte(out))
}

func snapshotState(ts *testscript.TestScript) string {
	var b strings.Builder
	b.WriteString(git(ts, "for-each-ref", "refs/tags", "--format=%(refname) %(objectname)"))
	for _, f := range []string{"artifacts.yaml", ".gto"} {
		data, err := os.ReadFile(ts.MkAbs(f))
		fmt.Fprintf(&b, "--- %s (%v)\n%s\n", f, err == nil, data)
	}
	status := strings.Split(git(ts, "status", "--porcelain=v1", "--untracked-files=all"), "\n")
	sort.Strings(status)
	b.WriteString(strings.Join(status, "\n"))
	b.WriteString(git(ts, "log", "--all", "--format=%H"))
	return b.String()
}

func cmdSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: snapshot NAME")
	}
	ts.Setenv("SNAPSHOT_"+args[0], snapshotState(ts))
}

func cmdUnchanged(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: unchanged NAME")
	}
	want := ts.Getenv("SNAPSHOT_" + args[0])
	if got := snapshotState(ts); got != want {
		ts.Fatalf("repository changed since snapshot %s:\nbefore:\n%s\nafter:\n%s", args[0], want, got)
	}
}

func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lines N FILE")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		ts.Fatalf("lines: %q is not a positive number", args[0])
	}
	var b []byte
	for i := 1; i <= n; i++ {
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '\n')
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
}
