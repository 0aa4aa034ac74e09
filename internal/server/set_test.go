package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/server"
	"github.com/gto-dev/gto/registryset"
)

// fiveRepos is the set of the issue: three local repositories, two
// file:// ones, the second of which does not exist.
// It returns the local members' repositories by name.
func fiveRepos(t *testing.T) (*registryset.Set, map[string]*gittest.Repo) {
	t.Helper()
	a, b, c := fixture(t), fixture(t), showcase(t)
	bare := gittest.NewBare(t)
	a.Git("push", "--quiet", bare.Dir, "main", "--tags")
	missing := "file://" + filepath.Join(t.TempDir(), "gone.git")
	set, err := registryset.New([]registryset.Entry{
		{Name: "alpha", Repo: a.Dir}, {Name: "beta", Repo: b.Dir}, {Name: "gamma", Repo: c.Dir},
		{Name: "mirror", Repo: "file://" + bare.Dir}, {Name: "broken", Repo: missing},
	}, registryset.Options{Registry: sealed(a, "", t.TempDir()), Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	return set, map[string]*gittest.Repo{"alpha": a, "beta": b, "gamma": c}
}

func TestRegistrySet(t *testing.T) {
	t.Parallel()
	set, repos := fiveRepos(t)
	a := repos["alpha"]
	srv, ts := serve(t, "set", server.Options{Set: set})

	page := get(t, ts.URL+"/")
	if page.status != http.StatusOK {
		t.Fatalf("set page: %d %s", page.status, page.body)
	}
	mustContain(t, "set page", page.body,
		`<td class="repo"><a href="/repos/alpha/">alpha</a></td>`,
		`href="/repos/gamma/artifacts/churn-model"`,
		`href="/repos/mirror/artifacts/sub/model"`,
		`<option>broken</option>`,
		`<span class="badge stale">not read</span>`,
		"1 of 5 repositories could not be refreshed",
		"gone.git")
	mustNotContain(t, "set page", page.body, "<script>alert")

	// Filters: one repository, a text.
	only := get(t, ts.URL+"/?repo=gamma")
	mustContain(t, "?repo=gamma", only.body, `data-repo="gamma"`, "<option selected>gamma</option>")
	mustNotContain(t, "?repo=gamma", only.body, `<tr data-repo="alpha" data-search`)
	text := get(t, ts.URL+"/?q=fraud")
	if n := strings.Count(text.body, `<tr data-repo="gamma" data-search`); n != 1 || strings.Contains(text.body, `<tr data-repo="alpha" data-search`) {
		t.Errorf("?q=fraud: %d gamma rows", n)
	}

	// The API: the members, one member, a member's documents as the single
	// server gives them.
	var docs []map[string]any
	if err := json.Unmarshal([]byte(get(t, ts.URL+"/api/v1/repos").body), &docs); err != nil || len(docs) != 5 {
		t.Fatalf("repos: %v %v", docs, err)
	}
	if docs[4]["name"] != "broken" || docs[4]["stale"] != true || docs[4]["read"] != false || !strings.Contains(docs[4]["error"].(string), "gone.git") {
		t.Errorf("broken: %v", docs[4])
	}
	if docs[0]["stale"] != false || docs[0]["error"] != nil || docs[0]["artifacts"] != float64(5) || docs[3]["remote"] != true {
		t.Errorf("alpha, mirror: %v %v", docs[0], docs[3])
	}
	one := get(t, ts.URL+"/api/v1/repos/beta")
	mustContain(t, "/api/v1/repos/beta", one.body, `"name": "beta"`, `"show": "/api/v1/repos/beta/show"`)
	_, single := startAt(t, a, a.Dir, server.Options{})
	for _, route := range []string{"show", "show/churn", "history", "history/churn?ascending=1", "stages", "describe/churn", "check-ref/churn@v1.0.0"} {
		want, got := get(t, single.URL+"/api/v1/"+route), get(t, ts.URL+"/api/v1/repos/alpha/"+route)
		if got.status != want.status || got.body != want.body {
			t.Errorf("%s: %d %q, single server %d %q", route, got.status, got.body, want.status, want.body)
		}
		if alias := get(t, ts.URL+"/repos/alpha/api/v1/"+route); alias.body != want.body {
			t.Errorf("/repos/alpha/api/v1/%s differs", route)
		}
	}
	for url, status := range map[string]int{
		"/api/v1/repos/broken/show":  http.StatusServiceUnavailable,
		"/api/v1/repos/nope/show":    http.StatusNotFound,
		"/api/v1/repos/nope":         http.StatusNotFound,
		"/repos/broken/":             http.StatusServiceUnavailable,
		"/repos/alpha/":              http.StatusOK,
		"/repos/alpha/artifacts/nn":  http.StatusOK,
		"/repos/alpha/history":       http.StatusOK,
		"/repos/alpha/static/gto.js": http.StatusOK,
		"/api/v1/show":               http.StatusNotFound, // one repository's routes are not the set's
		"/api/v1/":                   http.StatusOK,
		"/api/v1/fingerprint":        http.StatusOK,
	} {
		if got := get(t, ts.URL+url); got.status != status {
			t.Errorf("%s: %d, want %d: %s", url, got.status, status, got.body)
		}
	}
	for _, url := range []string{"/", "/api/v1/repos", "/api/v1/repos/alpha/show", "/repos/alpha/"} {
		if got := do(t, http.MethodGet, ts.URL+url, nil, map[string]string{"Host": "evil.example"}); got.status != http.StatusMisdirectedRequest {
			t.Errorf("%s for another host: %d", url, got.status)
		}
	}
	broken := get(t, ts.URL+"/api/v1/repos/broken/show")
	mustContain(t, "broken show", broken.body, `"code": "repository-unavailable"`, `the repository \"broken\" has not been read yet`)
	member := get(t, ts.URL+"/repos/alpha/artifacts/churn")
	mustContain(t, "member page", member.body, `href="/repos/alpha/static/style.css`, `href="/repos/alpha/history"`,
		`data-events-url="/repos/alpha/api/v1/events/stream"`, `<a href="/">All repositories</a>`)
	mustNotContain(t, "set page", page.body, "All repositories")
	if got := get(t, ts.URL+"/repos/alpha"); got.status != http.StatusMovedPermanently || got.header.Get("Location") != "/repos/alpha/" {
		t.Errorf("/repos/alpha: %d %s", got.status, got.header.Get("Location"))
	}

	// A member that breaks after it was read stays, stale with its error.
	fp := srv.Fingerprint()
	moved := a.Dir + ".moved"
	if err := os.Rename(a.Dir, moved); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(moved) })
	set.Member("alpha").Refresh(t.Context())
	if _, err := srv.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if srv.Fingerprint() == fp {
		t.Error("the set's fingerprint did not change when a member broke")
	}
	page = get(t, ts.URL+"/")
	mustContain(t, "set page after a failure", page.body, `<span class="badge stale">stale</span>`, "2 of 5 repositories")
	if got := get(t, ts.URL+"/api/v1/repos/alpha/show"); got.status != http.StatusOK {
		t.Errorf("a stale member's show: %d", got.status)
	}
	mustContain(t, "stale member's fingerprint", get(t, ts.URL+"/api/v1/repos/alpha/fingerprint").body, `"refresh_error"`)
}

func TestRegistrySetRefusesWrites(t *testing.T) {
	t.Parallel()
	set, err := registryset.New([]registryset.Entry{{Name: "a", Repo: t.TempDir()}}, registryset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = server.New(t.Context(), server.Options{Set: set, AllowWrite: true, Token: strings.Repeat("x", 20)})
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("err = %v", err)
	}
}

func TestRegistrySetSite(t *testing.T) {
	t.Parallel()
	set, _ := fiveRepos(t)
	dir := t.TempDir()
	n, failed, err := server.WriteSetSite(t.Context(), set, dir, server.SiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].Name != "broken" || n < 20 {
		t.Fatalf("%d files, failed %v", n, failed)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "index.html", string(index), `data-mode="static"`, `href="repos/alpha/artifacts/churn.html"`,
		`href="repos/mirror/artifacts/sub/model.html"`, `<a href="repos/gamma/index.html">gamma</a>`, `static/gto.js`, "gone.git")
	member, _ := os.ReadFile(filepath.Join(dir, "repos/alpha/artifacts/sub/model.html"))
	mustContain(t, "a member's artifact page", string(member), `<a href="../../../../index.html">All repositories</a>`, `href="../../index.html"`)
	for _, f := range []string{"repos/alpha/index.html", "repos/gamma/artifacts/churn-model.html", "repos/mirror/api/v1/show.json", "api/v1/repos.json", "static/style.css"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "repos", "broken")); !os.IsNotExist(err) {
		t.Errorf("the broken member has a folder: %v", err)
	}
	repos, _ := os.ReadFile(filepath.Join(dir, "api/v1/repos.json"))
	mustContain(t, "repos.json", string(repos), `"show": "repos/alpha/api/v1/show.json"`, `"page": "repos/alpha/index.html"`)
}

// TestSetStream checks the set page's live refresh: a "fingerprint" message
// when the stream opens, and another once a member changed.
func TestSetStream(t *testing.T) {
	t.Parallel()
	set, repos := fiveRepos(t)
	srv, ts := serve(t, "set", server.Options{Set: set})
	sc := openStream(t, ts.URL+"/api/v1/events/stream", "")
	first := srv.Fingerprint()
	if m := readMessage(t, sc); m.event != "fingerprint" || m.data != `{"fingerprint":"`+first+`"}` {
		t.Fatalf("first message: %+v, want the fingerprint %s", m, first)
	}
	repos["beta"].Tag("nn#prod#2", "HEAD", "Assigning stage prod to artifact nn version v0.0.1")
	set.RefreshAll(t.Context())
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh: %v %v", changed, err)
	}
	next := srv.Fingerprint()
	if m := readMessage(t, sc); next == first || m.event != "fingerprint" || m.data != `{"fingerprint":"`+next+`"}` {
		t.Errorf("after a member changed: %+v, want the fingerprint %s (was %s)", m, next, first)
	}
}

// TestRegistrySetReadLater checks a set served with ReadSetLater: New reads
// nothing, every member is listed as being read, and Serve reads them all.
func TestRegistrySetReadLater(t *testing.T) {
	t.Parallel()
	set, _ := fiveRepos(t)
	srv, ts := serve(t, "set", server.Options{Set: set, ReadSetLater: true})
	mustContain(t, "page before the first read", get(t, ts.URL+"/").body, `<span class="badge">reading…</span>`)
	if res := get(t, ts.URL+"/api/v1/repos/alpha/show"); res.status != http.StatusServiceUnavailable || !strings.Contains(res.body, "its first read is under way") {
		t.Errorf("a member before its first read: %d %s", res.status, res.body)
	}
	repos := func() []map[string]any {
		var docs []map[string]any
		if err := json.Unmarshal([]byte(get(t, ts.URL+"/api/v1/repos").body), &docs); err != nil || len(docs) != 5 {
			t.Fatalf("repos: %v %v", docs, err)
		}
		return docs
	}
	for _, d := range repos() {
		if d["pending"] != true || d["read"] != false {
			t.Fatalf("before Serve: %v", d)
		}
	}

	_, stop := serveOn(t, srv)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		docs, pending := repos(), 0
		for _, d := range docs {
			if d["pending"] == true {
				pending++
			}
		}
		if pending == 0 {
			if docs[0]["read"] != true || docs[3]["read"] != true || docs[4]["stale"] != true || docs[4]["read"] != false {
				t.Errorf("after the first read: %v", docs)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d members still pending after 30 s", pending)
		}
	}
	if res := get(t, ts.URL+"/api/v1/repos/alpha/show"); res.status != http.StatusOK {
		t.Errorf("alpha after its read: %d %s", res.status, res.body)
	}
}
