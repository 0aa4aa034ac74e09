package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/server"
	"github.com/gto-dev/gto/registry"
)

// xssDescription and xssMessage are user-controlled strings that would run
// as script if a page did not escape them.
const (
	xssDescription = `<script>alert("description")</script> predicts churn`
	xssMessage     = `<script>alert('message')</script> first release`
)

const fixtureYAML = `churn:
  type: model
  path: models/churn.pkl
  labels: [tabular, prod-critical]
  description: '` + xssDescription + `'
nn:
  type: dataset
  labels: [images]
sub/model:
  type: model
annotated-only:
  type: model
  description: no tags yet
`

// fixture builds a registry with several artifacts, stages, a deprecated
// artifact, a name with a "/", an annotated-only artifact, and a tag
// message and a description holding <script>.
func fixture(t testing.TB) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	h := newHistory(r)
	c1 := h.commit("first model", map[string]string{"artifacts.yaml": fixtureYAML, "README.md": "x"})
	h.tags(c1,
		"churn@v1.0.0", xssMessage,
		"churn#prod#1", "Assigning stage prod to artifact churn version v1.0.0",
		"old@v0.1.0", "Registering artifact old version v0.1.0")
	c2 := h.commit("second model", map[string]string{"README.md": "y"})
	h.tags(c2,
		"churn@v1.1.0", "Registering artifact churn version v1.1.0",
		"churn#dev#2", "Assigning stage dev to artifact churn version v1.1.0",
		"churn#staging#3", "Assigning stage staging to artifact churn version v1.1.0",
		"nn@v0.0.1", "Registering artifact nn version v0.0.1",
		"nn#dev#1", "Assigning stage dev to artifact nn version v0.0.1",
		"sub/model@v2.0.0", "Registering artifact sub/model version v2.0.0")
	h.tags(c1, "old@deprecated", "Deprecating artifact 'old'")
	h.write()
	return r
}

// history is commits and annotated tags for a test repository, written
// by one git process (fast-import) instead of three per commit and one
// per tag: a test then pays for two gits, not dozens. Each object is
// made as r.Commit and r.Tag would make it: at the next tick of r's
// clock, by r's identity, with the message as git stores it (one trailing
// newline).
type history struct {
	r       *gittest.Repo
	stream  strings.Builder
	marks   int
	commits bool // whether a commit was written (the work tree is then checked out)
}

func newHistory(r *gittest.Repo) *history { return &history{r: r} }

// message is msg as git stores it: with one trailing newline.
func message(msg string) string { return strings.TrimRight(msg, "\n") + "\n" }

// commit adds a commit to the current branch (main) that writes files
// (name -> content) over the previous commit's, and returns its mark
// (":N"), which tags takes as its target.
func (h *history) commit(msg string, files map[string]string) string {
	h.marks++
	h.commits = true
	date := gittest.GitDate(h.r.Tick())
	msg = message(msg)
	fmt.Fprintf(&h.stream, "commit refs/heads/main\nmark :%d\nauthor %s <%s> %s\ncommitter %s <%s> %s\ndata %d\n%s",
		h.marks, gittest.Name, gittest.Email, date, gittest.Name, gittest.Email, date, len(msg), msg)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&h.stream, "M 100644 inline %s\ndata %d\n%s\n", name, len(files[name]), files[name])
	}
	h.stream.WriteString("\n")
	return fmt.Sprintf(":%d", h.marks)
}

// tags adds annotated tags on target (a mark or a full hash), in order:
// nameMsgs are pairs of a tag name and its message.
func (h *history) tags(target string, nameMsgs ...string) {
	for i := 0; i+1 < len(nameMsgs); i += 2 {
		msg := message(nameMsgs[i+1])
		fmt.Fprintf(&h.stream, "tag %s\nfrom %s\ntagger %s <%s> %s\ndata %d\n%s\n",
			nameMsgs[i], target, gittest.Name, gittest.Email, gittest.GitDate(h.r.Tick()), len(msg), msg)
	}
}

// write writes the history into the repository (objects packed, not
// unpacked by another git) and, when it has commits, checks out the
// last one.
func (h *history) write() {
	h.r.GitInput(h.stream.String(), "-c", "fastimport.unpackLimit=0", "fast-import", "--quiet")
	if h.commits {
		h.r.Git("reset", "--quiet", "--hard")
	}
}

// sealed returns the options that open the registry at repo (a path or
// URL) with git run as g's own commands run it — sealed off from the
// user's configuration, with g's identity — without touching the process
// environment, so that tests can run in parallel. The registry dates its
// tags by g's clock.
func sealed(g *gittest.Repo, repo, cacheDir string) registry.Options {
	env := g.Env()
	lookup := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "GIT_COMMITTER_DATE" {
			lookup[k] = v
		}
	}
	return registry.Options{
		Repo:     repo,
		CacheDir: cacheDir,
		GitEnv:   env,
		Getenv:   func(k string) (string, bool) { v, ok := lookup[k]; return v, ok },
		Now:      g.Now,
	}
}

// openFunc opens the registry at repo (a path or URL) as the CLI does,
// sealed as g.
func openFunc(g *gittest.Repo, repo, cacheDir string) func(context.Context) (*registry.Registry, error) {
	return func(ctx context.Context) (*registry.Registry, error) {
		return registry.Open(ctx, sealed(g, repo, cacheDir))
	}
}

// start serves the registry of g with httptest.
func start(t testing.TB, g *gittest.Repo, opts server.Options) (*server.Server, *httptest.Server) {
	t.Helper()
	return startAt(t, g, g.Dir, opts)
}

// startAt serves the registry at repo (a path or URL), with git sealed as
// g, with httptest.
func startAt(t testing.TB, g *gittest.Repo, repo string, opts server.Options) (*server.Server, *httptest.Server) {
	t.Helper()
	if opts.Open == nil {
		opts.Open = openFunc(g, repo, t.TempDir())
	}
	return serve(t, repo, opts)
}

// serve serves the registry that opts.Open opens with httptest.
func serve(t testing.TB, repo string, opts server.Options) (*server.Server, *httptest.Server) {
	t.Helper()
	if opts.Source == "" {
		opts.Source = repo
	}
	srv, err := server.New(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts
}

// serveOn runs srv.Serve on a listener of 127.0.0.1 and returns its
// address and the stop, which ends Serve and returns its error.
func serveOn(t *testing.T, srv *server.Server) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	return ln.Addr().String(), func() error {
		cancel()
		return <-served
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request and reads the whole answer.
func do(t testing.TB, method, url string, body io.Reader, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v // the client sends req.Host, not a header
			continue
		}
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func get(t testing.TB, url string) response { return do(t, http.MethodGet, url, nil, nil) }

// runCLI runs gto on the registry of g and returns its standard output
// (see runCLIs).
func runCLI(t testing.TB, g *gittest.Repo, args ...string) string {
	t.Helper()
	return runCLIs(t, g, args)[0]
}

// runCLIs runs gto commands on the registry of g, one after the other,
// and returns the standard output of each: in one process, the test
// binary as gto (see TestMain), with g's environment, so that git runs
// sealed off without the test setting the process environment. The test
// fails if a command fails.
func runCLIs(t testing.TB, g *gittest.Repo, cmds ...[]string) []string {
	t.Helper()
	full := make([][]string, len(cmds))
	for i, args := range cmds {
		full[i] = append([]string{"-r", g.Dir}, args...)
	}
	input, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0])
	cmd.Env = append(g.Env(), "GTO_TEST_AS_GTO=batch")
	cmd.Stdin = bytes.NewReader(input)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("gto (%d commands): %v: %s", len(cmds), err, stderr.String())
	}
	var results []struct {
		Out, Err string
		Code     int
	}
	if err := json.Unmarshal(output, &results); err != nil || len(results) != len(cmds) {
		t.Fatalf("gto (%d commands) printed %q: %v", len(cmds), output, err)
	}
	outs := make([]string, len(cmds))
	for i, res := range results {
		if res.Code != 0 {
			t.Fatalf("gto %s: exit %d: %s", strings.Join(cmds[i], " "), res.Code, res.Err)
		}
		outs[i] = res.Out
	}
	return outs
}

// gtoEnv is the environment of gto run by a test on the registry of g.
func gtoEnv(g *gittest.Repo) []string {
	return append(g.Env(), "GTO_TEST_AS_GTO=1")
}

func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}

func mustNotContain(t testing.TB, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q", what, w)
		}
	}
}
