package server_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/server"
)

const token = "s3cret-token-0123456789"

func bearerHeader(tok string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
}

func tagExists(r *gittest.Repo, name string) bool {
	return r.Git("tag", "-l", name) == name
}

func TestWritesOffByDefault(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{})
	res := do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn"}`), bearerHeader(token))
	if res.status != http.StatusForbidden {
		t.Errorf("register without --allow-write = %d", res.status)
	}
	// The refusal says what it is, and names no flag.
	mustContain(t, "register without --allow-write", res.body, `"code": "writes-disabled"`, "started read-only")
	mustNotContain(t, "register without --allow-write", res.body, "--")
	form := url.Values{"name": {"churn"}, "token": {token}}
	res = do(t, "POST", ts.URL+"/actions/register", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if res.status != http.StatusForbidden {
		t.Errorf("form register without --allow-write = %d", res.status)
	}
	if tagExists(r, "churn@v1.1.1") {
		t.Error("a tag was created")
	}
	mustNotContain(t, "registry page", get(t, ts.URL+"/").body, `action="/actions/register"`)
}

func TestAllowWriteNeedsToken(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, err := server.New(t.Context(), server.Options{Open: openFunc(r, r.Dir, ""), AllowWrite: true})
	if !errors.Is(err, server.ErrNoToken) {
		t.Errorf("New with AllowWrite and no token: %v", err)
	}
}

func TestAPIWriteAuth(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	r.Commit("third model", nil) // HEAD holds no version of churn yet
	_, ts := start(t, r, server.Options{AllowWrite: true, Token: token})
	body := `{"name": "churn", "message": "from the API"}`
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"no token", map[string]string{"Content-Type": "application/json"}, http.StatusUnauthorized},
		{"wrong token", bearerHeader("guess"), http.StatusUnauthorized},
		{"token prefix", bearerHeader(token[:5]), http.StatusUnauthorized},
		{"basic auth", map[string]string{"Authorization": "Basic " + token}, http.StatusUnauthorized},
		{"cross-site", merge(bearerHeader(token), map[string]string{"Sec-Fetch-Site": "cross-site"}), http.StatusForbidden},
		{"other origin", merge(bearerHeader(token), map[string]string{"Origin": "http://evil.example"}), http.StatusForbidden},
	} {
		res := do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(body), tc.header)
		if res.status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, res.status, tc.status, res.body)
		}
		if tc.status == http.StatusUnauthorized && !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", tc.name, res.header.Get("WWW-Authenticate"))
		}
	}
	if tagExists(r, "churn@v1.1.1") {
		t.Fatal("a refused write created a tag")
	}

	// Same-origin browser requests and non-browser clients pass.
	res := do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(body), merge(bearerHeader(token), map[string]string{"Sec-Fetch-Site": "same-origin"}))
	if res.status != http.StatusCreated {
		t.Fatalf("register with the token = %d: %s", res.status, res.body)
	}
	mustContain(t, "register answer", res.body, `"tag": "churn@v1.1.1"`, `"event": "registration"`, `"version": "v1.1.1"`, `"pushed": false`)
	if !tagExists(r, "churn@v1.1.1") || r.Git("tag", "-l", "--format=%(contents:subject)", "churn@v1.1.1") != "from the API" {
		t.Fatal("churn@v1.1.1 was not created with its message")
	}
	// The views were refreshed: the API shows the new version at once.
	if got, want := get(t, ts.URL+"/api/v1/show/churn").body, runCLI(t, r, "show", "churn", "--json"); got != want {
		t.Errorf("show churn after the write:\n%s\nwant:\n%s", got, want)
	}

	res = do(t, "POST", ts.URL+"/api/v1/assign", strings.NewReader(`{"name": "churn", "version": "v1.1.1", "stage": "prod"}`), bearerHeader(token))
	if res.status != http.StatusCreated || !tagExists(r, "churn#prod#4") {
		t.Fatalf("assign = %d: %s", res.status, res.body)
	}
	mustContain(t, "assign answer", res.body, `"stage": "prod"`, `"event": "assignment"`)
	mustContain(t, "show", get(t, ts.URL+"/api/v1/show").body, `"prod": "v1.1.1"`)

	// Form-encoded bodies work too.
	form := url.Values{"name": {"nn"}, "version": {"v0.0.1"}, "stage": {"dev"}}
	res = do(t, "POST", ts.URL+"/api/v1/deprecate", strings.NewReader(form.Encode()), map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/x-www-form-urlencoded"})
	if res.status != http.StatusCreated || !tagExists(r, "nn#dev!#2") {
		t.Fatalf("unassign = %d: %s", res.status, res.body)
	}
	res = do(t, "POST", ts.URL+"/api/v1/deprecate", strings.NewReader(`{"name": "nn"}`), bearerHeader(token))
	if res.status != http.StatusCreated || !tagExists(r, "nn@deprecated") {
		t.Fatalf("deprecate = %d: %s", res.status, res.body)
	}

	// The registry's refusals keep their meaning.
	for _, tc := range []struct {
		action, body string
		status       int
		want         string
	}{
		{"assign", `{"name": "churn", "version": "v1.1.1", "stage": "prod"}`, http.StatusConflict, "already"},
		{"register", `{"name": "churn", "version": "1.0"}`, http.StatusBadRequest, ""},
		{"register", `{"name": "-bad"}`, http.StatusBadRequest, "artifact"},
		{"register", `{"name": ""}`, http.StatusBadRequest, "an artifact name is required"},
		{"register", `{"name": "churn", "bump": "huge"}`, http.StatusBadRequest, "invalid bump"},
		{"register", `{"name": "churn", "unknown": 1}`, http.StatusBadRequest, "unknown field"},
		{"register", `{"name": "churn", "ref": "no-such-ref"}`, http.StatusNotFound, "no-such-ref"},
		{"assign", `{"name": "churn", "version": "v9.9.9", "stage": "prod"}`, http.StatusNotFound, "v9.9.9"},
		{"deprecate", `{"name": "nope"}`, http.StatusNotFound, "not found"},
		// Cases the CLI words with its flags: the API says them in the
		// registry's words, with the field and the case.
		{"assign", `{"name": "churn", "version": "v1.1.1"}`, http.StatusBadRequest, `"code": "stage-required"`},
		{"assign", `{"name": "churn", "version": "v1.1.1", "stage": "prod"}`, http.StatusConflict, `"force": true`},
		{"assign", `{"name": "churn", "version": "v1.1.1", "ref": "HEAD", "stage": "qa"}`, http.StatusBadRequest, `"code": "version-or-ref"`},
		{"register", `{"name": "churn", "version": "v3.0.0", "bump": "major"}`, http.StatusBadRequest, `"code": "version-and-bump"`},
		{"register", `{"name": "brand-new", "bump": "minor"}`, http.StatusBadRequest, `cannot bump the minor version`},
		{"deprecate", `{"name": "churn", "version": "v1.1.1", "ref": "HEAD"}`, http.StatusBadRequest, `"field": "ref"`},
	} {
		res := do(t, "POST", ts.URL+"/api/v1/"+tc.action, strings.NewReader(tc.body), bearerHeader(token))
		if res.status != tc.status {
			t.Errorf("%s %s = %d, want %d: %s", tc.action, tc.body, res.status, tc.status, res.body)
		}
		mustContain(t, tc.action+" "+tc.body, res.body, `"error": "`, `"kind": "`, tc.want)
		if strings.Contains(res.body, "--") {
			t.Errorf("%s %s: the API names a flag: %s", tc.action, tc.body, res.body)
		}
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestPageWrites(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	r.Commit("third model", nil) // HEAD holds no version of churn yet
	_, ts := start(t, r, server.Options{AllowWrite: true, Token: token})
	page := get(t, ts.URL+"/artifacts/churn").body
	mustContain(t, "artifact page", page, `action="/actions/register"`, `action="/actions/assign"`, `action="/actions/deprecate"`, `name="token"`)
	// As a browser posts the pages' forms: with the page's Origin.
	post := func(action string, form url.Values, header map[string]string) response {
		return do(t, "POST", ts.URL+"/actions/"+action, strings.NewReader(form.Encode()),
			merge(map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": ts.URL}, header))
	}

	// No token, a wrong one, or a cross-site form: refused, nothing written.
	res := post("register", url.Values{"name": {"churn"}}, nil)
	if res.status != http.StatusUnauthorized {
		t.Errorf("form without token = %d", res.status)
	}
	mustContain(t, "refusal page", res.body, "a valid token is required", `<h1>churn`)
	if res := post("register", url.Values{"name": {"churn"}, "token": {"guess"}}, nil); res.status != http.StatusUnauthorized {
		t.Errorf("form with a wrong token = %d", res.status)
	}
	if res := post("register", url.Values{"name": {"churn"}, "token": {token}}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}); res.status != http.StatusForbidden {
		t.Errorf("cross-site form = %d", res.status)
	}
	if tagExists(r, "churn@v1.1.1") {
		t.Fatal("a refused form created a tag")
	}

	// With the token: the tag is created and the page says so.
	res = post("register", url.Values{"name": {"churn"}, "token": {token}, "message": {"from the page"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/artifacts/churn?created=churn%40v1.1.1" {
		t.Fatalf("form register = %d, Location %q: %s", res.status, res.header.Get("Location"), res.body)
	}
	if !tagExists(r, "churn@v1.1.1") {
		t.Fatal("churn@v1.1.1 was not created")
	}
	page = get(t, ts.URL+res.header.Get("Location")).body
	mustContain(t, "page after the write", page, `Created <code>churn@v1.1.1</code>`, `<td class="version">v1.1.1</td>`)
	// The page only confirms tags that exist.
	mustNotContain(t, "forged confirmation", get(t, ts.URL+"/artifacts/churn?created=churn@v9.0.0").body, "Created")

	// A new artifact from the registry page; a refusal shows the registry.
	res = post("register", url.Values{"name": {"brand-new"}, "token": {token}}, nil)
	if res.status != http.StatusSeeOther || !tagExists(r, "brand-new@v0.0.1") {
		t.Fatalf("register a new artifact = %d: %s", res.status, res.body)
	}
	res = post("assign", url.Values{"name": {"churn"}, "version": {"v1.1.1"}, "token": {token}}, nil)
	if res.status != http.StatusBadRequest {
		t.Errorf("assign without a stage = %d", res.status)
	}
	mustContain(t, "refusal", res.body, "a stage is required")
}

// TestRemoteRegistry serves a registry from a URL: changes pushed to the
// remote appear after a refresh (a fetch into the cached mirror), and
// writes are pushed.
func TestRemoteRegistry(t *testing.T) {
	t.Parallel()
	work := fixture(t)
	bare := gittest.NewBare(t)
	work.AddRemote("origin", bare.Dir)
	work.Git("push", "--quiet", "origin", "main", "--tags")
	remote := "file://" + bare.Dir
	srv, ts := startAt(t, work, remote, server.Options{Remote: true, AllowWrite: true, Token: token})
	if got, want := get(t, ts.URL+"/api/v1/show").body, runCLI(t, work, "show", "--json"); got != want {
		t.Errorf("show of the remote:\n%s\nwant:\n%s", got, want)
	}

	work.Tag("nn#prod#2", "HEAD", "Assigning stage prod")
	work.Commit("third model", nil)
	work.Git("push", "--quiet", "origin", "main", "nn#prod#2")
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh after a push = %v, %v", changed, err)
	}
	mustContain(t, "show", get(t, ts.URL+"/api/v1/show").body, `"prod": "v0.0.1"`)

	res := do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "nn"}`), bearerHeader(token))
	if res.status != http.StatusCreated {
		t.Fatalf("register on the remote = %d: %s", res.status, res.body)
	}
	mustContain(t, "register answer", res.body, `"pushed": true`)
	if !tagExists(bare, "nn@v0.0.2") {
		t.Error("the new tag was not pushed to the remote")
	}
}

// TestPolicyRefusal: an assignment the promotion policy refuses answers
// 409 with kind "policy" and the rule broken, and writes nothing.
func TestPolicyRefusal(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	r.Commit("policy", map[string]string{"gto-policy.yaml": "stages:\n  prod:\n    after: [staging]\n"})
	_, ts := start(t, r, server.Options{AllowWrite: true, Token: token})
	res := do(t, "POST", ts.URL+"/api/v1/assign", strings.NewReader(`{"name": "nn", "version": "v0.0.1", "stage": "prod"}`), bearerHeader(token))
	if res.status != http.StatusConflict {
		t.Fatalf("assign against the policy = %d: %s", res.status, res.body)
	}
	mustContain(t, "policy refusal", res.body, `"kind": "policy"`, `"rule": "after"`, "never was")
	if tagExists(r, "nn#prod#2") {
		t.Fatal("a refused assignment created a tag")
	}
	// staging first, then prod passes.
	for _, stage := range []string{"staging", "prod"} {
		res := do(t, "POST", ts.URL+"/api/v1/assign", strings.NewReader(`{"name": "nn", "version": "v0.0.1", "stage": "`+stage+`"}`), bearerHeader(token))
		if res.status != http.StatusCreated {
			t.Fatalf("assign %s = %d: %s", stage, res.status, res.body)
		}
	}
}
