package server_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gto-dev/gto/internal/server"
)

func TestRegistryPage(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	res := get(t, ts.URL+"/")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", res.status, res.header.Get("Content-Type"))
	}
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	mustContain(t, "registry page", res.body,
		`<a href="/artifacts/churn">churn</a>`, `<a href="/artifacts/sub/model">sub/model</a>`,
		`<a href="/artifacts/annotated-only">*annotated-only</a>`,
		`<th class="stagecol">#dev</th>`, `<th class="stagecol">#prod</th>`, `<th class="stagecol">#staging</th>`,
		`<span class="label">tabular</span>`, `href="/history"`, `href="/api/v1/show"`,
		`<script src="/static/gto.js?v=`, `<option>dataset</option>`, `deprecated (1)`)
	// Deprecated artifacts are shown on request only.
	mustNotContain(t, "registry page", res.body, `href="/artifacts/old"`)
	res = get(t, ts.URL+"/?deprecated=1")
	mustContain(t, "registry page with deprecated", res.body, `href="/artifacts/old"`, `<span class="badge dep">deprecated</span>`)

	for query, want := range map[string][]string{
		"type=dataset":            {"nn"},
		"label=tabular":           {"churn"},
		"stage=dev":               {"churn", "nn"},
		"stage=prod":              {"churn"},
		"q=PREDICTS":              {"churn"},
		"q=model":                 {"churn", "sub/model", "annotated-only"},
		"type=model&stage=dev":    {"churn"},
		"q=nothing-matches-this":  nil,
		"deprecated=1&q=old":      {"old"},
		"type=model&deprecated=1": {"churn", "sub/model", "annotated-only"},
	} {
		res := get(t, ts.URL+"/?"+query)
		got := names(res.body)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("/?%s lists %v, want %v", query, got, want)
		}
	}
}

// names lists the artifacts of a registry page's table, in order.
func names(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<td class="name"><a href="/artifacts/([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestArtifactPage(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	res := get(t, ts.URL+"/artifacts/churn")
	if res.status != http.StatusOK {
		t.Fatalf("GET /artifacts/churn = %d", res.status)
	}
	mustContain(t, "artifact page", res.body,
		`<h1>churn <span class="badge latest">v1.1.0</span></h1>`,
		`<dt>type</dt><dd>model</dd>`, `<code>models/churn.pkl</code>`, `<span class="label">prod-critical</span>`,
		// the board: one column per stage, the current version first
		`<h3>dev</h3>`, `<h3>prod</h3>`, `<h3>staging</h3>`, `<div class="ver">v1.0.0</div>`,
		// versions with stages, commit, author and time
		`<td class="version">v1.1.0</td>`, `<span class="stage">staging</span> <span class="stage">dev</span>`,
		`<td>Test User <span class="meta">&lt;test@example.com&gt;</span></td>`,
		`<time datetime="2022-01-01T01:`,
		// the history, and links to the other pages and documents
		`<h2 id="history">History</h2>`, `<span class="event">registration</span>`, `<code>churn#prod#1</code>`,
		`href="/"`, `href="/history"`, `href="/history?artifact=churn"`, `href="/api/v1/show/churn"`)

	res = get(t, ts.URL+"/artifacts/sub/model")
	if res.status != http.StatusOK {
		t.Fatalf("GET /artifacts/sub/model = %d", res.status)
	}
	mustContain(t, "sub/model page", res.body, `<h1>sub/model <span class="badge latest">v2.0.0</span></h1>`, `href="/api/v1/show/sub/model"`)

	res = get(t, ts.URL+"/artifacts/annotated-only")
	mustContain(t, "annotated-only page", res.body, `<h1>*annotated-only</h1>`, `no tags yet`, `<span class="badge">unregistered</span>`)

	res = get(t, ts.URL+"/artifacts/old")
	mustContain(t, "deprecated artifact page", res.body, `<span class="badge dep">deprecated</span>`, `<span class="event">deprecation</span>`)
}

func TestHistoryPage(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	res := get(t, ts.URL+"/history")
	if res.status != http.StatusOK {
		t.Fatalf("GET /history = %d", res.status)
	}
	events := regexp.MustCompile(`<tr class="ev-([a-z]+)" data-artifact="([^"]+)"`)
	all := events.FindAllStringSubmatch(res.body, -1)
	// 11 tags + a commit event per version commit (churn x2, nn, sub/model, old)
	if len(all) != 16 {
		t.Errorf("journal has %d events, want 16", len(all))
	}
	if len(all) > 0 && (all[0][1] != "deprecation" || all[0][2] != "old") {
		t.Errorf("newest event is %v, want old's deprecation", all[0][1:])
	}
	mustContain(t, "journal", res.body, `<a href="/artifacts/churn">churn</a>`, `href="/"`, `href="/api/v1/history"`)

	for query, want := range map[string]int{
		"artifact=churn":                    7,
		"event=assignment":                  4,
		"stage=dev":                         2,
		"artifact=churn&event=registration": 2,
		"artifact=nope":                     0,
	} {
		got := len(events.FindAllStringSubmatch(get(t, ts.URL+"/history?"+query).body, -1))
		if got != want {
			t.Errorf("/history?%s shows %d events, want %d", query, got, want)
		}
	}
}

func TestHistoryPagination(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	c := r.Git("rev-parse", "HEAD")
	h := newHistory(r)
	for i := range 120 {
		h.tags(c, "bulk@v0.0."+strconv.Itoa(i+1), "bulk")
	}
	h.write()
	_, ts := start(t, r, server.Options{})
	// 120 registrations and the commit event of each version: 240 events.
	first := get(t, ts.URL+"/history?artifact=bulk")
	mustContain(t, "page 1", first.body, "page 1 of 3", `href="/history?artifact=bulk&amp;page=2"`)
	mustNotContain(t, "page 1", first.body, `rel="prev"`)
	second := get(t, ts.URL+"/history?artifact=bulk&page=2")
	mustContain(t, "page 2", second.body, "page 2 of 3", `href="/history?artifact=bulk" rel="prev"`, `href="/history?artifact=bulk&amp;page=3" rel="next"`)
	last := get(t, ts.URL+"/history?artifact=bulk&page=9")
	mustContain(t, "page 9 (the last)", last.body, "page 3 of 3")
	if n := strings.Count(last.body, `<tr class="ev-`); n != 40 {
		t.Errorf("page 3 has %d events, want 40", n)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	for _, tc := range []struct {
		method, path string
		status       int
		json         bool
		want         string
	}{
		{"GET", "/artifacts/nope", 404, false, `artifact &#34;nope&#34; not found`},
		{"GET", "/nope", 404, false, `nothing at /nope`},
		{"GET", "/static/nope.js", 404, false, ``},
		{"GET", "/api/v1/show/nope", 404, true, `artifact \"nope\" not found`},
		{"GET", "/api/v1/show/nope@v1.0.0", 404, true, `artifact \"nope\" not found`},
		{"GET", "/api/v1/show/churn@foo", 400, true, `invalid shortcut`},
		{"GET", "/api/v1/describe/nope@v1.0.0", 404, true, `artifact \"nope\" not found`},
		{"GET", "/api/v1/describe/churn%23nostage", 404, true, `no version of artifact \"churn\" is in stage \"nostage\"`},
		{"GET", "/api/v1/nope", 404, true, `nothing at /api/v1/nope`},
		{"POST", "/api/v1/show", 405, true, `method POST is not allowed here`},
		{"POST", "/api/v1/nope", 404, true, `nothing at /api/v1/nope`},
		{"DELETE", "/", 405, false, `method DELETE is not allowed here`},
		{"GET", "/api/v1/show?vs=x", 400, true, `not an integer`},
	} {
		res := do(t, tc.method, ts.URL+tc.path, nil, nil)
		if res.status != tc.status {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, res.status, tc.status)
		}
		if ct := res.header.Get("Content-Type"); tc.json != (ct == "application/problem+json") && tc.want != "" {
			t.Errorf("%s %s: Content-Type %q", tc.method, tc.path, ct)
		}
		mustContain(t, tc.method+" "+tc.path, res.body, tc.want)
		if tc.json {
			// An RFC 9457 problem document, which still carries "error".
			mustContain(t, tc.method+" "+tc.path, res.body, fmt.Sprintf(`"status": %d`, tc.status), `"title": "`+http.StatusText(tc.status)+`"`, `"detail": "`, `"error": "`)
		}
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	for file, ct := range map[string]string{"gto.js": "text/javascript", "style.css": "text/css", "favicon.svg": "image/svg+xml"} {
		res := get(t, ts.URL+"/static/"+file)
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), ct) || res.body == "" {
			t.Errorf("/static/%s = %d %q", file, res.status, res.header.Get("Content-Type"))
		}
		again := do(t, "GET", ts.URL+"/static/"+file, nil, map[string]string{"If-None-Match": res.header.Get("ETag")})
		if again.status != http.StatusNotModified {
			t.Errorf("/static/%s with its ETag = %d", file, again.status)
		}
	}
	// Nothing is loaded from another host: the pages work offline.
	page := get(t, ts.URL+"/artifacts/churn").body
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], "//") {
			t.Errorf("the page links to another host: %s", m[1])
		}
	}
}

// TestEscaping registers an artifact whose description and tag message hold
// <script>: every page shows them as text.
func TestEscaping(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	for _, path := range []string{"/", "/artifacts/churn", "/history", "/history?artifact=churn"} {
		body := get(t, ts.URL+path).body
		mustNotContain(t, path, body, "<script>alert")
		if strings.Count(body, "<script") != 1 { // only the page's own script
			t.Errorf("%s has %d <script elements", path, strings.Count(body, "<script"))
		}
	}
	mustContain(t, "artifact page", get(t, ts.URL+"/artifacts/churn").body,
		`&lt;script&gt;alert(&#34;description&#34;)&lt;/script&gt; predicts churn`,
		`&lt;script&gt;alert(&#39;message&#39;)&lt;/script&gt; first release`)
	mustContain(t, "registry page", get(t, ts.URL+"/").body, `&lt;script&gt;alert(&#34;description&#34;)&lt;/script&gt;`)
	mustContain(t, "journal", get(t, ts.URL+"/history").body, `&lt;script&gt;alert(&#39;message&#39;)&lt;/script&gt;`)
	// The query is escaped too.
	body := get(t, ts.URL+`/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E`).body
	mustNotContain(t, "filtered page", body, "<script>alert(1)")
	mustContain(t, "filtered page", body, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`)
}

func TestSite(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	dir := filepath.Join(t.TempDir(), "public")
	// The documents are the CLI's bytes.
	documents := []struct {
		file string
		args []string
	}{
		{"api/v1/show.json", []string{"show", "--json"}},
		{"api/v1/show/churn.json", []string{"show", "churn", "--json"}},
		{"api/v1/show/sub/model.json", []string{"show", "sub/model", "--json"}},
		{"api/v1/history.json", []string{"history", "--json"}},
		{"api/v1/history/churn.json", []string{"history", "churn", "--json"}},
		{"api/v1/stages.json", []string{"stages", "--json"}},
		{"api/v1/describe/churn.json", []string{"describe", "churn"}},
		{"api/v1/describe/annotated-only.json", []string{"describe", "annotated-only"}},
	}
	cmds := [][]string{{"site", dir}}
	for _, d := range documents {
		cmds = append(cmds, d.args)
	}
	outs := runCLIs(t, r, cmds...)
	if out := outs[0]; !strings.Contains(out, "Wrote ") {
		t.Errorf("gto site printed %q", out)
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	index := read("index.html")
	mustContain(t, "index.html", index, `href="artifacts/churn.html"`, `href="artifacts/sub/model.html"`,
		`href="history.html"`, `href="api/v1/show.json"`, `href="static/style.css"`, `data-mode="static"`,
		// deprecated rows are there, hidden until asked for
		`href="artifacts/old.html"`)
	mustNotContain(t, "index.html", index, "<script>alert", `action="`+"/actions")
	sub := read("artifacts/sub/model.html")
	mustContain(t, "artifacts/sub/model.html", sub, `href="../../index.html"`, `src="../../static/gto.js"`, `href="../../api/v1/show/sub/model.json"`)
	churn := read("artifacts/churn.html")
	mustContain(t, "artifacts/churn.html", churn, `href="../index.html"`, `&lt;script&gt;alert(&#34;description&#34;)`, `href="../api/v1/describe/churn.json"`)
	mustContain(t, "history.html", read("history.html"), `href="artifacts/churn.html"`)
	read("404.html")
	read("static/gto.js")
	for i, d := range documents {
		if got, want := read(d.file), outs[i+1]; got != want {
			t.Errorf("%s differs from gto %s:\n%s\nwant:\n%s", d.file, strings.Join(d.args, " "), got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "api/v1/describe/old.json")); err == nil {
		t.Error("describe/old.json written for an artifact that is not annotated")
	}
}

// TestRested: Options.Rested is called after every refresh, whether it
// rebuilt the views, found nothing changed or failed.
func TestRested(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	var rested atomic.Int32
	srv, _ := start(t, r, server.Options{Rested: func() { rested.Add(1) }})
	if n := rested.Load(); n != 1 {
		t.Fatalf("Rested called %d times after the first read, want 1", n)
	}
	if _, err := srv.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.WriteFile(".gto", "stages: [unclosed\n")
	if _, err := srv.Refresh(t.Context()); err == nil {
		t.Fatal("Refresh with a malformed .gto succeeded")
	}
	if n := rested.Load(); n != 3 {
		t.Errorf("Rested called %d times after three refreshes, want 3", n)
	}
}
