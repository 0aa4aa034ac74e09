package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/server"
)

// TestAPIEqualsCLI proves that every API route returns the bytes the
// CLI's --json prints for the same repository.
func TestAPIEqualsCLI(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	r.WriteFile(".gto", "stages: [dev, staging, prod, archive]\n")
	_, ts := start(t, r, server.Options{})
	documents := []struct {
		route string
		args  []string
	}{
		{"/api/v1/show", []string{"show", "--json"}},
		{"/api/v1/show?vs=-1&sort=semver", []string{"show", "--json", "--vs", "-1", "--sort", "semver"}},
		{"/api/v1/show?av=1&ro=1", []string{"show", "--json", "--av", "1", "--ro"}},
		{"/api/v1/show/churn", []string{"show", "churn", "--json"}},
		{"/api/v1/show/churn@latest", []string{"show", "churn@latest", "--json"}},
		{"/api/v1/show/churn@v1.0.0", []string{"show", "churn@v1.0.0", "--json"}},
		{"/api/v1/show/churn%23prod", []string{"show", "churn#prod", "--json"}},
		{"/api/v1/show/churn?vs=-1", []string{"show", "churn", "--json", "--vs", "-1"}},
		{"/api/v1/show/sub/model", []string{"show", "sub/model", "--json"}},
		{"/api/v1/show/annotated-only", []string{"show", "annotated-only", "--json"}},
		{"/api/v1/show/old", []string{"show", "old", "--json"}},
		{"/api/v1/history", []string{"history", "--json"}},
		{"/api/v1/history?ascending=1", []string{"history", "--json", "--ascending"}},
		{"/api/v1/history/churn", []string{"history", "churn", "--json"}},
		{"/api/v1/history/nope", []string{"history", "nope", "--json"}},
		{"/api/v1/stages", []string{"stages", "--json"}},
		{"/api/v1/stages?used=1", []string{"stages", "--json", "--used"}},
		{"/api/v1/stages?allowed=1", []string{"stages", "--json", "--allowed"}},
		{"/api/v1/check-ref/churn%23prod%231", []string{"check-ref", "churn#prod#1", "--json"}},
		{"/api/v1/check-ref/refs/tags/churn@v1.1.0", []string{"check-ref", "refs/tags/churn@v1.1.0", "--json"}},
		{"/api/v1/check-ref/old@deprecated", []string{"check-ref", "old@deprecated", "--json"}},
		{"/api/v1/describe/churn", []string{"describe", "churn"}},
		{"/api/v1/describe/churn@v1.1.0", []string{"describe", "churn@v1.1.0"}},
		{"/api/v1/describe/churn%23prod", []string{"describe", "churn#prod"}},
		{"/api/v1/describe/churn%23prod%231", []string{"describe", "churn#prod#1"}},
		{"/api/v1/describe/nn@v0.0.1", []string{"describe", "nn@v0.0.1"}},
	}
	var cmds [][]string
	for _, tc := range documents {
		cmds = append(cmds, tc.args)
	}
	outs := runCLIs(t, r, cmds...)
	for i, tc := range documents {
		res := get(t, ts.URL+tc.route)
		if res.status != http.StatusOK {
			t.Errorf("GET %s = %d: %s", tc.route, res.status, res.body)
			continue
		}
		if ct := res.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s: Content-Type %q", tc.route, ct)
		}
		if want := outs[i]; res.body != want {
			t.Errorf("GET %s differs from gto %s:\n%s\nwant:\n%s", tc.route, strings.Join(tc.args, " "), res.body, want)
		}
	}
	// Where the CLI prints nothing, the API answers 204 No Content.
	empty := []struct {
		route string
		args  []string
	}{
		{"/api/v1/check-ref/main", []string{"check-ref", "main", "--json"}},
		{"/api/v1/check-ref/refs/heads/main", []string{"check-ref", "refs/heads/main", "--json"}},
		{"/api/v1/check-ref/nope@v1.0.0", []string{"check-ref", "nope@v1.0.0", "--json"}},
		{"/api/v1/describe/old", []string{"describe", "old"}},
		{"/api/v1/describe/nn@latest", []string{"describe", "nn@latest"}},
		{"/api/v1/describe/%23%23%23", []string{"describe", "###"}},
	}
	cmds = cmds[:0]
	for _, tc := range empty {
		cmds = append(cmds, tc.args)
	}
	outs = runCLIs(t, r, cmds...)
	for i, tc := range empty {
		res := get(t, ts.URL+tc.route)
		if res.status != http.StatusNoContent || res.body != "" {
			t.Errorf("GET %s = %d %q, want 204", tc.route, res.status, res.body)
		}
		if out := outs[i]; out != "" {
			t.Errorf("gto %s printed %q", strings.Join(tc.args, " "), out)
		}
	}
}

func TestAPIIndex(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	res := get(t, ts.URL+"/api/v1/")
	mustContain(t, "/api/v1/", res.body, `"show": "/api/v1/show"`, `"writes": false`)
}

func TestETag(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	srv, ts := start(t, r, server.Options{})
	for _, route := range []string{"/api/v1/show", "/api/v1/show/churn", "/api/v1/history", "/api/v1/stages", "/api/v1/fingerprint", "/", "/artifacts/churn", "/history"} {
		first := get(t, ts.URL+route)
		tag := first.header.Get("ETag")
		if first.status != http.StatusOK || !strings.HasPrefix(tag, `"`+srv.Fingerprint()) {
			t.Fatalf("GET %s = %d, ETag %q", route, first.status, tag)
		}
		if cc := first.header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q", route, cc)
		}
		again := do(t, "GET", ts.URL+route, nil, map[string]string{"If-None-Match": tag})
		if again.status != http.StatusNotModified || again.body != "" {
			t.Errorf("GET %s with If-None-Match = %d, %d bytes", route, again.status, len(again.body))
		}
		weak := do(t, "GET", ts.URL+route, nil, map[string]string{"If-None-Match": `"other", W/` + tag})
		if weak.status != http.StatusNotModified {
			t.Errorf("GET %s with a list of weak tags = %d", route, weak.status)
		}
	}
	// Another route or query is another entity.
	show := get(t, ts.URL+"/api/v1/show").header.Get("ETag")
	if other := get(t, ts.URL+"/api/v1/show?vs=-1").header.Get("ETag"); other == show {
		t.Error("?vs=-1 has the ETag of /api/v1/show")
	}
	// Nothing changed: a refresh keeps the views and the ETags.
	if changed, err := srv.Refresh(t.Context()); err != nil || changed {
		t.Fatalf("Refresh = %v, %v; want no change", changed, err)
	}
	if res := do(t, "GET", ts.URL+"/api/v1/show", nil, map[string]string{"If-None-Match": show}); res.status != http.StatusNotModified {
		t.Errorf("after an idle refresh: %d", res.status)
	}
	// A new tag changes the fingerprint: the old ETag no longer matches.
	r.Tag("nn#prod#2", "HEAD", "Assigning stage prod")
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh after a new tag = %v, %v", changed, err)
	}
	res := do(t, "GET", ts.URL+"/api/v1/show", nil, map[string]string{"If-None-Match": show})
	if res.status != http.StatusOK || res.header.Get("ETag") == show {
		t.Fatalf("after a new tag: %d, ETag %q", res.status, res.header.Get("ETag"))
	}
	if want := runCLI(t, r, "show", "--json"); res.body != want {
		t.Errorf("show after the new tag:\n%s\nwant:\n%s", res.body, want)
	}
}

func TestRefreshSeesDeletedTags(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	srv, ts := start(t, r, server.Options{})
	before := srv.Fingerprint()
	r.Git("tag", "-d", "sub/model@v2.0.0")
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed || srv.Fingerprint() == before {
		t.Fatalf("Refresh after a deleted tag = %v, %v", changed, err)
	}
	// sub/model is still annotated: it is now only that.
	mustContain(t, "sub/model page", get(t, ts.URL+"/artifacts/sub/model").body, `<h1>*sub/model</h1>`)
	if got, want := get(t, ts.URL+"/api/v1/show").body, runCLI(t, r, "show", "--json"); got != want {
		t.Errorf("show after the deletion:\n%s\nwant:\n%s", got, want)
	}
	r.Git("tag", "-d", "old@v0.1.0", "old@deprecated")
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh after deleting old's tags = %v, %v", changed, err)
	}
	if res := get(t, ts.URL+"/artifacts/old"); res.status != http.StatusNotFound {
		t.Errorf("the page of an artifact whose tags are gone: %d", res.status)
	}
	if res := get(t, ts.URL+"/api/v1/show/old"); res.status != http.StatusNotFound {
		t.Errorf("show of an artifact whose tags are gone: %d", res.status)
	}
	// A new commit moves HEAD (annotations are read there): rebuilt too.
	r.Commit("annotate more", map[string]string{"artifacts.yaml": fixtureYAML + "late:\n  type: model\n"})
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh after a commit = %v, %v", changed, err)
	}
	mustContain(t, "registry page", get(t, ts.URL+"/").body, `href="/artifacts/late"`)
}

func TestFingerprintRoute(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	srv, ts := start(t, r, server.Options{})
	res := get(t, ts.URL+"/api/v1/fingerprint")
	mustContain(t, "/api/v1/fingerprint", res.body, `"fingerprint": "`+srv.Fingerprint()+`"`, `"built_at": "`)
}

// TestRefreshFailureKeepsViews: when the registry cannot be read, the
// server keeps answering from the last views and says so.
func TestRefreshFailureKeepsViews(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	srv, ts := start(t, r, server.Options{})
	r.WriteFile(".gto", "stages: [unclosed\n")
	if _, err := srv.Refresh(t.Context()); err == nil {
		t.Fatal("Refresh with a malformed .gto succeeded")
	}
	res := get(t, ts.URL+"/")
	if res.status != http.StatusOK {
		t.Fatalf("GET / = %d", res.status)
	}
	mustContain(t, "registry page", res.body, "The last refresh failed", `href="/artifacts/churn"`)
	mustContain(t, "fingerprint", get(t, ts.URL+"/api/v1/fingerprint").body, `"refresh_error": "`)
}

// TestRegistryPageFollowsRefreshError: the registry page without filters
// is rendered once per views, but it shows the banner as soon as a refresh
// fails and drops it once one works again, while the views stay the same.
func TestRegistryPageFollowsRefreshError(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	srv, ts := start(t, r, server.Options{})
	first := get(t, ts.URL+"/").body
	mustNotContain(t, "registry page", first, "The last refresh failed")
	if again := get(t, ts.URL+"/").body; again != first {
		t.Error("the registry page changed with nothing changed")
	}
	r.WriteFile(".gto", "stages: [unclosed\n")
	if _, err := srv.Refresh(t.Context()); err == nil {
		t.Fatal("Refresh with a malformed .gto succeeded")
	}
	mustContain(t, "registry page after a failed refresh", get(t, ts.URL+"/").body, "The last refresh failed")
	if err := os.Remove(filepath.Join(r.Dir, ".gto")); err != nil {
		t.Fatal(err)
	}
	if changed, err := srv.Refresh(t.Context()); err != nil || changed {
		t.Fatalf("Refresh with .gto restored = %v, %v; want the same views", changed, err)
	}
	if res := get(t, ts.URL+"/").body; res != first {
		t.Errorf("the registry page once the refresh works again differs from the first:\n%s", res)
	}
}
