package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Shape describes a synthetic registry.
type Shape struct {
	Name      string
	Artifacts int // artifacts with tags
	Versions  int // registered versions per artifact, one commit each
	// Stages is the number of stage assignments per artifact (spread over
	// its versions and three stages, some unassigned again).
	Stages int
	// Commits adds plain commits after the versions (deep history), with
	// artifacts.yaml rewritten every AnnotateEvery commits.
	Commits       int
	AnnotateEvery int
	Loose         bool // keep refs loose instead of packing them
	// DVCFiles > 0 annotates with dvc.yaml files instead of artifacts.yaml:
	// 1 is one root file, more a monorepo of that many folders (monorepo.go).
	DVCFiles int
	// PerFolder > 0 puts the artifacts' files in folders of that many
	// (models/NN/NAME.txt), so that each commit rewrites small trees: the
	// huge shape's 200,000 commits would otherwise each write a tree of
	// 5,000 entries, and fast-import would take hours instead of minutes.
	PerFolder int
}

// Shapes are the registries of the benchmark table.
var Shapes = map[string]Shape{
	"small":       {Name: "small", Artifacts: 10, Versions: 15, Stages: 15},
	"medium":      {Name: "medium", Artifacts: 100, Versions: 30, Stages: 30},
	"large":       {Name: "large", Artifacts: 500, Versions: 40, Stages: 60},
	"large-loose": {Name: "large-loose", Artifacts: 500, Versions: 40, Stages: 60, Loose: true},
	"deep":        {Name: "deep", Artifacts: 20, Versions: 10, Stages: 10, Commits: 10000, AnnotateEvery: 50},
	// huge is not in the default sizes: `go run ./bench -preset huge` (huge.go).
	"huge": {Name: "huge", Artifacts: 5000, Versions: 40, Stages: 60, PerFolder: 100},
}

// spareCommits are commits without versions on the "spare" branch, so that
// every benchmark run of `register` has a fresh commit to register.
const spareCommits = 16

const baseTime = 1640995200 // 2022-01-01T00:00:00Z

// generate writes the registry of shape s into dir with one `git
// fast-import` stream (a single process, whatever the number of tags).
func generate(dir string, s Shape) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := gitRun(dir, nil, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet", "--done")
	cmd.Env = benchEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	writeStream(w, s)
	if err := w.Flush(); err != nil {
		return err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("fast-import: %w", err)
	}
	if err := gitRun(dir, nil, "checkout", "-q", "-f", "main"); err != nil {
		return err
	}
	if !s.Loose {
		return gitRun(dir, nil, "pack-refs", "--all")
	}
	return nil
}

// stream writes commits and tags to a fast-import stream.
type stream struct {
	w    io.Writer
	mark int
	t    int64
}

func (st *stream) commit(branch, msg string, files map[string]string) int {
	st.mark++
	st.t += 60
	fmt.Fprintf(st.w, "commit refs/heads/%s\nmark :%d\n", branch, st.mark)
	fmt.Fprintf(st.w, "author Ada Author <ada@example.com> %d +0000\n", baseTime+st.t)
	fmt.Fprintf(st.w, "committer Ada Author <ada@example.com> %d +0000\n", baseTime+st.t)
	fmt.Fprintf(st.w, "data %d\n%s\n", len(msg), msg)
	for path, content := range files {
		fmt.Fprintf(st.w, "M 644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	return st.mark
}

func (st *stream) tag(name string, mark int, msg string) {
	st.t += 1
	fmt.Fprintf(st.w, "tag %s\nfrom :%d\n", name, mark)
	fmt.Fprintf(st.w, "tagger Tom Tagger <tom@example.com> %d +0000\n", baseTime+st.t)
	fmt.Fprintf(st.w, "data %d\n%s\n", len(msg), msg)
}

func writeStream(w io.Writer, s Shape) {
	st := &stream{w: w}
	stages := []string{"dev", "staging", "prod"}
	first := st.commit("main", "Initial commit", map[string]string{"README.md": "# synthetic registry\n"})
	counters := make([]int, s.Artifacts)
	marks := make([][]int, s.Artifacts)
	for v := 0; v < s.Versions; v++ {
		for a := 0; a < s.Artifacts; a++ {
			name := artifactName(a)
			m := st.commit("main", fmt.Sprintf("Update %s", name), map[string]string{
				modelPath(s, a): fmt.Sprintf("%s version %d\n", name, v),
			})
			version := fmt.Sprintf("v1.%d.%d", v/10, v%10)
			st.tag(name+"@"+version, m, fmt.Sprintf("Registering artifact %s version %s", name, version))
			marks[a] = append(marks[a], m)
		}
	}
	for i := 0; i < s.Stages; i++ {
		for a := 0; a < s.Artifacts; a++ {
			name := artifactName(a)
			v := (i * s.Versions) / max(s.Stages, 1)
			stage := stages[i%len(stages)]
			counters[a]++
			version := fmt.Sprintf("v1.%d.%d", v/10, v%10)
			if i%7 == 6 {
				st.tag(fmt.Sprintf("%s#%s!#%d", name, stage, counters[a]), marks[a][v],
					fmt.Sprintf("Unassigning stage '%s' to artifact '%s' version '%s'", stage, name, version))
			} else {
				st.tag(fmt.Sprintf("%s#%s#%d", name, stage, counters[a]), marks[a][v],
					fmt.Sprintf("Assigning stage %s to artifact %s version %s", stage, name, version))
			}
		}
	}
	for c := 0; c < s.Commits; c++ {
		files := map[string]string{"log.txt": fmt.Sprintf("commit %d\n", c)}
		if s.AnnotateEvery > 0 && c%s.AnnotateEvery == 0 {
			files["artifacts.yaml"] = annotations(s, c)
		}
		st.commit("main", fmt.Sprintf("Deep history commit %d", c), files)
	}
	if s.Commits == 0 {
		files := map[string]string{"artifacts.yaml": annotations(s, 0)}
		if s.DVCFiles > 0 {
			files = dvcFiles(s)
		}
		st.commit("main", "Annotate artifacts", files)
	}
	fmt.Fprintf(w, "reset refs/heads/spare\nfrom :%d\n", first)
	for i := 0; i < spareCommits; i++ {
		st.commit("spare", fmt.Sprintf("Spare commit %d", i), map[string]string{"spare.txt": fmt.Sprintf("%d\n", i)})
	}
	fmt.Fprintln(w, "done")
}

func annotations(s Shape, rev int) string {
	var b strings.Builder
	for a := 0; a < s.Artifacts; a++ {
		fmt.Fprintf(&b, "%s:\n  type: model\n  path: %s\n  description: revision %d\n", artifactName(a), modelPath(s, a), rev)
	}
	return b.String()
}

// modelPath is the file of artifact a: models/NAME.txt, or
// models/NN/NAME.txt in folders of s.PerFolder.
func modelPath(s Shape, a int) string {
	if s.PerFolder > 0 {
		return fmt.Sprintf("models/%02d/%s.txt", a/s.PerFolder, artifactName(a))
	}
	return "models/" + artifactName(a) + ".txt"
}

func artifactName(a int) string { return fmt.Sprintf("model-%03d", a) }

// benchEnv is a sealed git environment: no user or system configuration.
func benchEnv() []string {
	home, _ := filepath.Abs(filepath.Join(cacheRoot, "home"))
	os.MkdirAll(home, 0o755)
	env := []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "PATH=" + os.Getenv("PATH"), "TZ=UTC",
		"GIT_COMMITTER_NAME=Tom Tagger", "GIT_COMMITTER_EMAIL=tom@example.com",
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com"}
	if v := os.Getenv("TMPDIR"); v != "" {
		env = append(env, "TMPDIR="+v)
	}
	return env
}

func gitRun(dir string, stdout io.Writer, args ...string) error {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = benchEnv()
	cmd.Stdout = stdout
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return nil
}
