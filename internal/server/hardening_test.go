package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/server"
)

// problemDoc is the part of a problem document the tests look at.
type problemDoc struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Kind   string `json:"kind"`
	Field  string `json:"field"`
	Code   string `json:"code"`
	Error  string `json:"error"`
}

// mustProblem checks that res is a problem document with status and
// returns it; its detail is one sentence on one line that names no flag.
func mustProblem(t *testing.T, what string, res response, status int) problemDoc {
	t.Helper()
	var p problemDoc
	if res.status != status {
		t.Errorf("%s: %d, want %d: %.300s", what, res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: Content-Type %q", what, ct)
		return p
	}
	if err := json.Unmarshal([]byte(res.body), &p); err != nil {
		t.Fatalf("%s: %v: %s", what, err, res.body)
	}
	if p.Status != status || p.Title != http.StatusText(status) || p.Detail == "" || p.Error != p.Detail {
		t.Errorf("%s: problem document %+v", what, p)
	}
	if strings.ContainsAny(p.Detail, "\n\r") || len(p.Detail) > 400 || strings.Contains(p.Detail, "--") {
		t.Errorf("%s: detail is not one short sentence without flags: %q", what, p.Detail)
	}
	return p
}

// TestHostAllowList: a request whose Host is not the server's (a page of
// a DNS-rebinding site) gets 421 on every route, and nothing of the
// registry; the loopback names with the server's port and the allowed
// hosts pass.
func TestHostAllowList(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{AllowWrite: true, Token: token,
		AllowedHosts: []string{"models.example.com", "pinned.example:9000", "[2001:db8::1]:8080", "10.1.2.3"}})
	_, port, _ := strings.Cut(strings.TrimPrefix(ts.URL, "http://"), ":")
	for _, host := range []string{
		"evil.example", "evil.example:" + port, "localhost:1", "127.0.0.1:1", "localhost", "pinned.example:9001",
		"pinned.example", "models.example.com.evil.example", "[2001:db8::1]:8081", "10.1.2.4:" + port, "127.0.0.2:" + port,
	} {
		for _, route := range []string{"/", "/api/v1/show", "/artifacts/churn", "/static/gto.js", "/nope"} {
			res := do(t, "GET", ts.URL+route, nil, map[string]string{"Host": host})
			p := mustProblem(t, "Host "+host+" "+route, res, http.StatusMisdirectedRequest)
			if p.Code != "host-not-allowed" {
				t.Errorf("Host %s %s: code %q", host, route, p.Code)
			}
			mustNotContain(t, "Host "+host+" "+route, res.body, "churn", "prod", "<html")
		}
		// A write is refused before its token is looked at.
		res := do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn"}`), merge(bearerHeader(token), map[string]string{"Host": host}))
		mustProblem(t, "POST with Host "+host, res, http.StatusMisdirectedRequest)
	}
	for _, host := range []string{
		"127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "localhost.:" + port, "[::1]:" + port,
		"models.example.com", "models.example.com:443", "MODELS.example.com:8443", "pinned.example:9000",
		"[2001:db8::1]:8080", "10.1.2.3:" + port, "10.1.2.3",
	} {
		if res := do(t, "GET", ts.URL+"/api/v1/show", nil, map[string]string{"Host": host}); res.status != http.StatusOK {
			t.Errorf("Host %s: %d: %s", host, res.status, res.body)
		}
	}
	if tagExists(r, "churn@v1.1.1") {
		t.Error("a misdirected write created a tag")
	}
}

func TestAllowedHostsMalformed(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	for _, host := range []string{"", "http://models.example.com", "models.example.com/x", "x:abc", "x:0", "x:70000", "[::1", "[::1]x", "a b"} {
		_, err := server.New(t.Context(), server.Options{Open: openFunc(r, r.Dir, ""), AllowedHosts: []string{host}})
		if err == nil || !strings.Contains(err.Error(), "invalid allowed host") || strings.Contains(err.Error(), "--") {
			t.Errorf("AllowedHosts %q: %v", host, err)
		}
	}
}

// TestFormOrigin: a form post needs an Origin naming this server or
// Sec-Fetch-Site: same-origin; a Referer alone, whatever it says, never
// passes. The refusal comes before the token is checked.
func TestFormOrigin(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	r.Commit("third model", nil) // HEAD holds no version of churn yet
	_, ts := start(t, r, server.Options{AllowWrite: true, Token: token})
	host := strings.TrimPrefix(ts.URL, "http://")
	post := func(header map[string]string) response {
		form := url.Values{"name": {"churn"}, "token": {token}}
		return do(t, "POST", ts.URL+"/actions/register", strings.NewReader(form.Encode()),
			merge(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, header))
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"no Origin, no Sec-Fetch-Site", nil},
		{"the server's own Referer alone", map[string]string{"Referer": ts.URL + "/artifacts/churn"}},
		{"a foreign Referer alone", map[string]string{"Referer": "http://evil.example/"}},
		{"a foreign Origin", map[string]string{"Origin": "http://evil.example"}},
		{"a foreign Origin on the same port", map[string]string{"Origin": "http://evil.example:" + host[strings.LastIndex(host, ":")+1:]}},
		{"Origin null", map[string]string{"Origin": "null"}},
		{"Origin with a path", map[string]string{"Origin": ts.URL + "/x"}},
		{"Origin of another scheme", map[string]string{"Origin": "ftp://" + host}},
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"Sec-Fetch-Site same-site", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"Sec-Fetch-Site none", map[string]string{"Sec-Fetch-Site": "none"}},
		{"cross-site with the server's Origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": ts.URL}},
		{"same-origin with a foreign Origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://evil.example"}},
	} {
		res := post(tc.header)
		if res.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, res.status)
		}
		mustContain(t, tc.name, res.body, "cross-site request refused")
	}
	if tagExists(r, "churn@v1.1.1") {
		t.Fatal("a refused form created a tag")
	}
	res := post(map[string]string{"Origin": ts.URL})
	if res.status != http.StatusSeeOther || !tagExists(r, "churn@v1.1.1") {
		t.Fatalf("a form with the server's Origin: %d: %s", res.status, res.body)
	}
	r.Commit("fourth model", nil)
	res = post(map[string]string{"Sec-Fetch-Site": "same-origin"})
	if res.status != http.StatusSeeOther || !tagExists(r, "churn@v1.1.2") {
		t.Fatalf("a form marked same-origin: %d: %s", res.status, res.body)
	}
	// The API keeps its rules: the token is in a header no cross-site
	// form can set, so a client that is not a browser passes (a Referer
	// changes nothing), and what a browser marks cross-site does not.
	r.Commit("fifth model", nil)
	res = do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn"}`), merge(bearerHeader(token), map[string]string{"Referer": "http://evil.example/"}))
	if res.status != http.StatusCreated {
		t.Errorf("API write without Origin: %d: %s", res.status, res.body)
	}
	res = do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn"}`), merge(bearerHeader(token), map[string]string{"Sec-Fetch-Site": "same-site"}))
	if p := mustProblem(t, "API write from a same-site page", res, http.StatusForbidden); p.Code != "cross-site" {
		t.Errorf("cross-site API write: code %q", p.Code)
	}
}

func TestShortToken(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	for _, tc := range []struct {
		token string
		want  error
	}{
		{"", server.ErrNoToken},
		{"a", server.ErrShortToken},
		{"0123456789abcde", server.ErrShortToken},
		{"ééééééééééééééé", server.ErrShortToken}, // 15 characters, 30 bytes
		{"0123456789abcdef\n", server.ErrTokenSpace},
		{"0123456789 abcdef", server.ErrTokenSpace},
		{"0123456789abcdef", nil},
	} {
		if err := server.CheckToken(tc.token); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("CheckToken(%q) = %v, want %v", tc.token, err, tc.want)
		}
		_, err := server.New(t.Context(), server.Options{Open: openFunc(r, r.Dir, ""), AllowWrite: true, Token: tc.token})
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("New with token %q: %v, want %v", tc.token, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "--") || strings.Contains(err.Error(), "\n")) {
			t.Errorf("New with token %q: %q names a flag or has two lines", tc.token, err)
		}
	}
	// Without writes, no token is needed.
	if _, err := server.New(t.Context(), server.Options{Open: openFunc(r, r.Dir, ""), Token: "a"}); err != nil {
		t.Errorf("New read-only with a short token: %v", err)
	}
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// doFrom sends a request to the server's handler as if from the client at
// remote (an "IP:port"), through ts's address.
func doFrom(t *testing.T, srv *server.Server, ts *httptest.Server, remote, method, path string, body io.Reader, header map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(method, ts.URL+path, body)
	req.RemoteAddr = remote
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, ts.Listener.Addr()))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

// TestWrongTokenLimit: a client gets a few wrong tokens, then 429 with
// Retry-After until the bucket refills (by the injected clock: no
// sleeping); other clients, with the right token or a wrong one, are not
// affected.
func TestWrongTokenLimit(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	r.Commit("third model", nil) // HEAD holds no version of churn yet
	clock := &fakeClock{now: gittest.Epoch}
	srv, ts := start(t, r, server.Options{AllowWrite: true, Token: token, Now: clock.Now})
	register := func(tok string) response {
		return do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn"}`), bearerHeader(tok))
	}
	wrong := 0
	for ; wrong < 100; wrong++ {
		if res := register("guess-" + token); res.status != http.StatusUnauthorized {
			break
		}
	}
	if wrong < 3 || wrong > 10 {
		t.Fatalf("%d wrong tokens before the limit, want a few", wrong)
	}
	res := register("guess-" + token)
	p := mustProblem(t, "a wrong token over the limit", res, http.StatusTooManyRequests)
	retry := res.header.Get("Retry-After")
	if p.Code != "too-many-attempts" || retry == "" || retry == "0" || !strings.Contains(p.Detail, retry+" seconds") {
		t.Errorf("429: code %q, Retry-After %q, detail %q", p.Code, retry, p.Detail)
	}
	// The right token from the same client waits too: it is not compared.
	mustProblem(t, "the right token over the limit", register(token), http.StatusTooManyRequests)
	// The pages' form counts the same client's attempts.
	form := url.Values{"name": {"churn"}, "token": {token}}
	res = do(t, "POST", ts.URL+"/actions/register", strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": ts.URL})
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Errorf("form over the limit: %d, Retry-After %q", res.status, res.header.Get("Retry-After"))
	}
	mustContain(t, "form over the limit", res.body, "too many wrong tokens")

	// Other clients: a wrong token is a 401 (its own first attempt), the
	// right one a write.
	other := func(remote, tok string) response {
		return doFrom(t, srv, ts, remote, "POST", "/api/v1/register", strings.NewReader(`{"name": "churn"}`), bearerHeader(tok))
	}
	if res := other("192.0.2.7:5000", "guess"); res.status != http.StatusUnauthorized {
		t.Errorf("another client's wrong token: %d: %s", res.status, res.body)
	}
	if res := other("[2001:db8::7]:5000", token); res.status != http.StatusCreated || !tagExists(r, "churn@v1.1.1") {
		t.Fatalf("another client's right token: %d: %s", res.status, res.body)
	}

	// Once Retry-After has passed, the client may try again: one attempt.
	seconds, err := strconv.Atoi(retry)
	if err != nil {
		t.Fatalf("Retry-After %q: %v", retry, err)
	}
	clock.Add(time.Duration(seconds) * time.Second)
	r.Commit("fourth model", nil)
	if res := register(token); res.status != http.StatusCreated || !tagExists(r, "churn@v1.1.2") {
		t.Fatalf("the right token after Retry-After: %d: %s", res.status, res.body)
	}
	if res := register("guess-" + token); res.status != http.StatusUnauthorized {
		t.Errorf("a wrong token after Retry-After: %d", res.status)
	}
	mustProblem(t, "the next wrong token", register("guess-"+token), http.StatusTooManyRequests)
	// A long pause gives back every attempt.
	clock.Add(time.Hour)
	for i := range wrong {
		if res := register("guess-" + token); res.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d after an hour: %d", i+1, res.status)
		}
	}
}

// TestWriteValidation: every field of a write is checked before git
// runs: one sentence, with the field, and no tag.
func TestWriteValidation(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	_, ts := start(t, r, server.Options{AllowWrite: true, Token: token})
	tags := r.Git("tag", "-l")
	long := strings.Repeat("a", 10000)
	part := strings.Repeat("b", 251)
	for _, tc := range []struct {
		action, body string
		status       int
		field, want  string
	}{
		// A field that does not apply to the action is refused, not ignored.
		{"assign", `{"name": "churn", "version": "v1.1.0", "stage": "qa", "bump": "evil"}`, 400, "bump", "does not apply"},
		{"assign", `{"name": "churn", "version": "v1.1.0", "stage": "qa", "bump": "major"}`, 400, "bump", "does not apply"},
		{"deprecate", `{"name": "nn", "version": "v0.0.1", "stage": "dev", "bump": "evil"}`, 400, "bump", "does not apply"},
		{"register", `{"name": "nn", "stage": "prod"}`, 400, "stage", "does not apply"},
		{"register", `{"name": "churn", "ref": "HEAD", "bump": "evil"}`, 400, "bump", "invalid bump"},
		{"register", `{"name": "churn", "bump": "Patch"}`, 400, "bump", "invalid bump"},
		// Text: one line, valid UTF-8.
		{"register", `{"name": "churn", "message": "two\nlines"}`, 400, "message", "control character"},
		{"register", `{"name": "churn", "message": "bell\u0007"}`, 400, "message", "control character"},
		{"register", `{"name": "churn\n", "version": "v9.0.0"}`, 400, "name", "control character"},
		{"assign", `{"name": "churn", "version": "v1.1.0", "stage": "qa\r"}`, 400, "stage", "control character"},
		{"register", `{"name": "churn", "ref": "HEAD\nmain"}`, 400, "ref", "control character"},
		{"register", `{"name": "churn", "version": "v9.0.0\t"}`, 400, "version", "control character"},
		{"register", `{"name": "churn", "ref": "--output=/tmp/x"}`, 400, "ref", `does not start with "-"`},
		// Names and stages follow the grammar.
		{"register", `{"name": "a b"}`, 400, "name", "invalid artifact name"},
		{"assign", `{"name": "churn", "version": "v1.1.0", "stage": "q/../a"}`, 400, "stage", "invalid stage name"},
		// Lengths git cannot store are refused before git runs.
		{"register", `{"name": "` + long + `"}`, 400, "name", "too long"},
		{"register", `{"name": "x/` + part + `"}`, 400, "name", "too long"},
		{"assign", `{"name": "churn", "version": "v1.1.0", "stage": "` + long + `"}`, 400, "stage", "too long"},
		{"assign", `{"name": "churn", "version": "v1.1.0", "stage": "` + part[:235] + `"}`, 400, "stage", "too long"},
		{"register", `{"name": "churn", "version": "v1.0.0-` + long + `"}`, 400, "version", "too long"},
		{"register", `{"name": "churn", "ref": "` + long + `"}`, 400, "ref", "too long"},
		{"deprecate", `{"name": "churn", "ref": "refs/heads/` + part + `"}`, 400, "ref", "too long"},
		// The body: one JSON object of known fields, each once.
		{"register", `{"name": "churn"} {"name": "nn"}`, 400, "", "more than one JSON value"},
		{"register", `{"name": "churn", "name": "nn"}`, 400, "name", "given twice"},
		{"register", `{"name": 5}`, 400, "name", "must be a string"},
		{"register", `{"name": "churn", "token": "x"}`, 400, "", "unknown field"},
		{"register", `[]`, 400, "", "invalid JSON body"},
	} {
		res := do(t, "POST", ts.URL+"/api/v1/"+tc.action, strings.NewReader(tc.body), bearerHeader(token))
		what := tc.action + " " + truncate(tc.body, 80)
		p := mustProblem(t, what, res, tc.status)
		if p.Kind != "invalid" || p.Field != tc.field || !strings.Contains(p.Detail, tc.want) {
			t.Errorf("%s: kind %q, field %q, detail %q; want field %q and %q", what, p.Kind, p.Field, p.Detail, tc.field, tc.want)
		}
		mustNotContain(t, what, res.body, "cannot lock ref")
	}
	formHeader := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/x-www-form-urlencoded"}
	for _, tc := range []struct {
		action, body string
		status       int
		want         string
	}{
		{"register", "name=churn&bump=evil", 400, "invalid bump"},
		{"assign", "name=churn&version=v1.1.0&stage=qa&bump=minor", 400, "does not apply"},
		{"register", "name=churn&message=a%0Ab", 400, "control character"},
		{"register", "name=churn&message=%FF%FE", 400, "not valid UTF-8"},
		{"register", "name=churn&name=nn", 400, "given 2 times"},
		{"register", "name=churn&bmp=major", 400, `unknown field "bmp"`},
		{"register", "name=churn&token=" + token, 400, `unknown field "token"`},
	} {
		res := do(t, "POST", ts.URL+"/api/v1/"+tc.action, strings.NewReader(tc.body), formHeader)
		p := mustProblem(t, "form "+tc.body, res, tc.status)
		if !strings.Contains(p.Detail, tc.want) {
			t.Errorf("form %s: detail %q, want %q", tc.body, p.Detail, tc.want)
		}
	}
	// A body that is neither JSON nor a form, or too large.
	for _, ct := range []string{"", "text/plain", "multipart/form-data; boundary=x", "application/jsonx"} {
		res := do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn"}`), map[string]string{"Authorization": "Bearer " + token, "Content-Type": ct})
		if p := mustProblem(t, "Content-Type "+ct, res, http.StatusUnsupportedMediaType); p.Code != "unsupported-media-type" {
			t.Errorf("Content-Type %q: code %q", ct, p.Code)
		}
	}
	res := do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn", "message": "`+strings.Repeat("m", 70<<10)+`"}`), bearerHeader(token))
	mustProblem(t, "a 70 KiB body", res, http.StatusRequestEntityTooLarge)
	// The pages' forms are checked the same way, and show the refusal.
	form := url.Values{"name": {"churn"}, "message": {"two\nlines"}, "token": {token}}
	res = do(t, "POST", ts.URL+"/actions/register", strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": ts.URL})
	if res.status != http.StatusBadRequest {
		t.Errorf("form with a two-line message: %d", res.status)
	}
	mustContain(t, "form with a two-line message", res.body, "control character", "<h1>churn")
	if now := r.Git("tag", "-l"); now != tags {
		t.Errorf("refused writes created tags:\n%s", now)
	}

	// What git can store passes: a part of 250 bytes (250 + ".lock" make
	// the 255 bytes of a file name), here by a long version; 251 does not.
	r.Commit("third model", nil)
	version := "v9.0.0-" + strings.Repeat("x", 250-len("churn@v9.0.0-"))
	res = do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn", "version": "`+version+`x"}`), bearerHeader(token))
	if p := mustProblem(t, "a tag name part of 251 bytes", res, http.StatusBadRequest); p.Field != "version" || !strings.Contains(p.Detail, "too long") {
		t.Errorf("a tag name part of 251 bytes: %+v", p)
	}
	res = do(t, "POST", ts.URL+"/api/v1/register", strings.NewReader(`{"name": "churn", "version": "`+version+`", "message": "tabs\u00a0and émojis 🎉 are text"}`), bearerHeader(token))
	if res.status != http.StatusCreated || !tagExists(r, "churn@"+version) {
		t.Errorf("register a tag name of 250 bytes: %d: %.300s", res.status, res.body)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
