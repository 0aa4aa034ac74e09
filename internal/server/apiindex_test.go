package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/server"
)

// routesOf reads an API index and returns its routes with the placeholders
// filled in.
func routesOf(t *testing.T, indexURL string, fill *strings.Replacer) map[string]string {
	t.Helper()
	var index map[string]any
	if err := json.Unmarshal([]byte(get(t, indexURL).body), &index); err != nil {
		t.Fatalf("%s: %v", indexURL, err)
	}
	routes := map[string]string{}
	for key, v := range index {
		if route, ok := v.(string); ok {
			routes[key] = fill.Replace(route)
		}
	}
	return routes
}

// answered tells whether a route's handler answered a GET of url: 200, or
// a problem document of its own (the fixture's artifact has no files in
// git to download), not the server's "nothing at PATH" for a route it
// does not have. It reads the body only when it is not 200: an event
// stream has no end.
func answered(t *testing.T, url string) (int, bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		return res.StatusCode, true
	}
	var problem struct{ Detail string }
	if json.NewDecoder(res.Body).Decode(&problem) != nil {
		return res.StatusCode, false
	}
	return res.StatusCode, problem.Detail != "" && !strings.HasPrefix(problem.Detail, "nothing at ")
}

// TestAPIIndexListsWhatAnswers checks both indexes against the routes: every
// read route is listed, and every listed route answers.
func TestAPIIndexListsWhatAnswers(t *testing.T) {
	t.Parallel()
	fill := strings.NewReplacer("{NAME}", "churn", "{REF}", "churn@v1.0.0", "{REPO}", "alpha")
	_, single := start(t, fixture(t), server.Options{})
	set, _ := fiveRepos(t)
	_, ofSet := serve(t, "set", server.Options{Set: set})
	for _, tc := range []struct {
		server, index string
		want          []string
	}{
		{single.URL, "/api/v1/", []string{"show", "show NAME", "history", "history NAME", "stages", "check-ref REF", "describe NAME", "fingerprint", "events", "events stream", "get REF", "download REF"}},
		{ofSet.URL, "/api/v1/", []string{"repos", "repo NAME", "show of repo", "events stream of repo", "download REF of repo", "fingerprint", "events stream"}},
	} {
		routes := routesOf(t, tc.server+tc.index, fill)
		for _, key := range tc.want {
			if routes[key] == "" {
				t.Errorf("%s%s does not list %q: %v", tc.server, tc.index, key, routes)
			}
		}
		for key, route := range routes {
			if code, ok := answered(t, tc.server+route); !ok {
				t.Errorf("%s%s: %q is %s, which no handler answers (%d)", tc.server, tc.index, key, route, code)
			}
		}
	}
}

// TestAnsweredSeesTheRouter keeps TestAPIIndexListsWhatAnswers honest: a
// route no handler serves is not "answered".
func TestAnsweredSeesTheRouter(t *testing.T) {
	t.Parallel()
	_, ts := start(t, fixture(t), server.Options{})
	if code, ok := answered(t, ts.URL+"/api/v1/no-such-route"); ok {
		t.Errorf("/api/v1/no-such-route counts as answered (%d)", code)
	}
}
