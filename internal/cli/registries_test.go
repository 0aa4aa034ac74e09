package cli_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeRegistrySet: -r given twice serves a registry set, whose
// members are named after their folders or as NAME=REPO.
func TestServeRegistrySet(t *testing.T) {
	r := serveRepo(t)
	other := serveRepo(t)
	base, out, errOut, stop := startServe(t, r, nil, "-r", "other="+other.Dir)
	// The members are read in the background once the server listens.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		res, err := http.Get(base + "/api/v1/repos")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), `"pending": true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the members were not read in 30 s: %s", body)
		}
	}
	res, err := http.Get(base + "/api/v1/repos/other/show")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"churn"`) {
		t.Errorf("GET /api/v1/repos/other/show = %d %s", res.StatusCode, body)
	}
	if code := stop(); code != 0 {
		t.Errorf("gto serve exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Serving the registry set of 2 repositories (") || !strings.Contains(out.String(), ", other) at http://") {
		t.Errorf("output %q", out.String())
	}
}
