package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/server"
	"github.com/gto-dev/gto/internal/tartest"
	"github.com/gto-dev/gto/registryset"
)

// getFixture: nn (a folder with an executable and a link) in prod, and
// an artifact tracked by DVC.
func getFixture(t *testing.T) *gittest.Repo {
	t.Helper()
	g := gittest.NewRepo(t)
	g.Commit("models", map[string]string{
		"artifacts.yaml":     "nn:\n  type: model\n  path: models/nn\ndvc:\n  path: data/big.csv\n",
		"models/nn/w.bin":    "weights\n",
		"models/nn/sub/x":    "x\n",
		"data/big.csv.dvc":   "outs:\n- path: big.csv\n",
		"models/nn/run.sh":   "#!/bin/sh\n",
		"models/other/o.txt": "not this\n",
	})
	g.Git("update-index", "--chmod=+x", "models/nn/run.sh")
	link := g.GitInput("w.bin", "hash-object", "-w", "--stdin")
	g.Git("update-index", "--add", "--cacheinfo", "120000,"+link+",models/nn/link")
	c := g.Commit("link and mode", nil)
	for _, tag := range [][2]string{{"nn@v1.0.0", "Registering"}, {"nn#prod#1", "Assigning"}, {"dvc@v0.1.0", "Registering"}} {
		g.Tag(tag[0], c, tag[1])
	}
	return g
}

func TestGetAndDownload(t *testing.T) {
	t.Parallel()
	g := getFixture(t)
	_, ts := start(t, g, server.Options{})

	res := get(t, ts.URL+"/api/v1/get/nn%23prod")
	if res.status != http.StatusOK {
		t.Fatalf("get: %d %s", res.status, res.body)
	}
	mustContain(t, "get", res.body, `"name": "nn"`, `"version": "v1.0.0"`, `"stage": "prod"`, `"path": "models/nn"`,
		`"source": "git"`, `"download": "/api/v1/download/nn@v1.0.0"`)

	res = get(t, ts.URL+"/api/v1/download/nn@v1.0.0")
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/gzip" {
		t.Fatalf("download: %d %v %s", res.status, res.header, res.body)
	}
	if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename=nn-v1.0.0.tar.gz` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	got := tartest.ListGz(t, strings.NewReader(res.body), time.Time{})
	want := []string{`nn/link 2 777 w.bin ""`, `nn/run.sh 0 755  "#!/bin/sh\n"`, `nn/sub/x 0 644  "x\n"`, `nn/w.bin 0 644  "weights\n"`}
	if !slices.Equal(got, want) {
		t.Errorf("archive = %q\nwant %q", got, want)
	}

	// The archive has an entity tag: a client that has it gets 304 and no
	// archive; a problem document has none.
	tag := res.header.Get("ETag")
	if !strings.HasPrefix(tag, `"`) || res.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("download: ETag %q, Cache-Control %q", tag, res.header.Get("Cache-Control"))
	}
	again := do(t, http.MethodGet, ts.URL+"/api/v1/download/nn@v1.0.0", nil, map[string]string{"If-None-Match": tag})
	if again.status != http.StatusNotModified || again.body != "" || again.header.Get("ETag") != tag {
		t.Errorf("download with If-None-Match: %d %q, ETag %q", again.status, again.body, again.header.Get("ETag"))
	}
	if other := do(t, http.MethodGet, ts.URL+"/api/v1/download/nn@v1.0.0", nil, map[string]string{"If-None-Match": `"another"`}); other.status != http.StatusOK {
		t.Errorf("download with another tag: %d", other.status)
	}

	// The artifact page links each version's download.
	mustContain(t, "artifact page", get(t, ts.URL+"/artifacts/nn").body, `<a class="download" href="/api/v1/download/nn@v1.0.0" download`)

	// Not in git: the resolution says so, the download is a problem.
	res = get(t, ts.URL+"/api/v1/get/dvc")
	mustContain(t, "get dvc", res.body, `"source": "dvc"`, `"command": [`, `"--rev",`)
	mustNotContain(t, "get dvc", res.body, `"download"`)
	res = get(t, ts.URL+"/api/v1/download/dvc@v0.1.0")
	if res.status != http.StatusNotFound || res.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("download of a DVC path: %d %s", res.status, res.body)
	}
	mustContain(t, "download dvc", res.body, `tracked by DVC`)
	if res.header.Get("ETag") != "" {
		t.Errorf("a problem document has the ETag %q", res.header.Get("ETag"))
	}
	for _, bad := range []string{"/api/v1/get/nn@v9.0.0", "/api/v1/download/ghost", "/api/v1/get/bad%20name"} {
		if res := get(t, ts.URL+bad); res.status < 400 || !strings.Contains(res.header.Get("Content-Type"), "problem+json") {
			t.Errorf("%s: %d %s", bad, res.status, res.body)
		}
	}
}

// A hostile tree is refused with a problem document before any byte of
// the archive is sent.
func TestDownloadRefusesAHostileTree(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	g.Commit("annotate", map[string]string{"artifacts.yaml": "nn:\n  path: models/nn\n"})
	blob := g.GitInput("evil\n", "hash-object", "-w", "--stdin")
	inner := g.GitInput("100644 blob "+blob+"\tpasswd\n", "mktree")
	nn := g.GitInput("040000 tree "+inner+"\t..\n", "mktree")
	models := g.GitInput("040000 tree "+nn+"\tnn\n", "mktree")
	root := g.GitInput("100644 blob "+g.Git("rev-parse", "HEAD:artifacts.yaml")+"\tartifacts.yaml\n040000 tree "+models+"\tmodels\n", "mktree")
	g.Tag("nn@v0.0.1", g.Git("commit-tree", "-p", "HEAD", "-m", "evil", root), "Registering")
	_, ts := start(t, g, server.Options{})
	res := get(t, ts.URL+"/api/v1/download/nn")
	if res.status != http.StatusBadRequest || res.header.Get("Content-Disposition") != "" {
		t.Errorf("download of a hostile tree: %d %v %s", res.status, res.header, res.body)
	}
	mustContain(t, "hostile", res.body, `refusing to write \"nn/../passwd\"`)
}

// In a registry set, a member's resolution points at the member's own
// download, and both answer under the member's prefix.
func TestGetInARegistrySet(t *testing.T) {
	t.Parallel()
	g := getFixture(t)
	set, err := registryset.New([]registryset.Entry{{Name: "files", Repo: g.Dir}},
		registryset.Options{Registry: sealed(g, "", t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	_, ts := serve(t, "set", server.Options{Set: set})
	res := get(t, ts.URL+"/api/v1/repos/files/get/nn%23prod")
	mustContain(t, "member get", res.body, `"version": "v1.0.0"`, `"download": "/repos/files/api/v1/download/nn@v1.0.0"`)
	mustContain(t, "member page", get(t, ts.URL+"/repos/files/artifacts/nn").body,
		`href="/repos/files/api/v1/download/nn@v1.0.0"`)
	for _, url := range []string{"/repos/files/api/v1/download/nn@v1.0.0", "/api/v1/repos/files/download/nn@v1.0.0"} {
		dl := get(t, ts.URL+url)
		if dl.status != http.StatusOK || len(tartest.ListGz(t, strings.NewReader(dl.body), time.Time{})) != 4 {
			t.Errorf("%s: %d", url, dl.status)
		}
	}
	if res := get(t, ts.URL+"/api/v1/repos/nope/get/nn"); res.status != http.StatusNotFound {
		t.Errorf("get in an unknown member: %d", res.status)
	}
}
