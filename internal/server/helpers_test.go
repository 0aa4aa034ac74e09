package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/cli"
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
	c1 := r.Commit("first model", map[string]string{"artifacts.yaml": fixtureYAML, "README.md": "x"})
	r.Tag("churn@v1.0.0", c1, xssMessage)
	r.Tag("churn#prod#1", c1, "Assigning stage prod to artifact churn version v1.0.0")
	r.Tag("old@v0.1.0", c1, "Registering artifact old version v0.1.0")
	c2 := r.Commit("second model", map[string]string{"README.md": "y"})
	r.Tag("churn@v1.1.0", c2, "Registering artifact churn version v1.1.0")
	r.Tag("churn#dev#2", c2, "Assigning stage dev to artifact churn version v1.1.0")
	r.Tag("churn#staging#3", c2, "Assigning stage staging to artifact churn version v1.1.0")
	r.Tag("nn@v0.0.1", c2, "Registering artifact nn version v0.0.1")
	r.Tag("nn#dev#1", c2, "Assigning stage dev to artifact nn version v0.0.1")
	r.Tag("sub/model@v2.0.0", c2, "Registering artifact sub/model version v2.0.0")
	r.Tag("old@deprecated", c1, "Deprecating artifact 'old'")
	r.Setenv()
	return r
}

// openFunc opens the registry at repo (a path or URL) as the CLI does.
func openFunc(repo, cacheDir string) func(context.Context) (*registry.Registry, error) {
	return func(ctx context.Context) (*registry.Registry, error) {
		return registry.Open(ctx, registry.Options{Repo: repo, CacheDir: cacheDir})
	}
}

// start serves the registry at repo with httptest.
func start(t testing.TB, repo string, opts server.Options) (*server.Server, *httptest.Server) {
	t.Helper()
	if opts.Open == nil {
		opts.Open = openFunc(repo, t.TempDir())
	}
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

// runCLI runs gto in-process on repo and returns its standard output.
func runCLI(t testing.TB, repo string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &cli.Env{Out: &out, ErrOut: &errOut, Getenv: os.LookupEnv, Now: time.Now}
	if code := cli.Run(t.Context(), env, append([]string{"-r", repo}, args...)); code != 0 {
		t.Fatalf("gto %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
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
