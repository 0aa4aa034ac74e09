package server_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/server"
	"github.com/gto-dev/gto/registry"
)

// A client that hangs up while a write is under way does not cut it
// short: the write (here an assignment that registers its version first)
// finishes whole.
func TestWriteOutlivesItsClient(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	r.Commit("third model", nil) // HEAD holds no version of churn yet
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	// git waits at the assignment tag until the test releases it.
	dir := t.TempDir()
	mark, release := filepath.Join(dir, "blocked"), filepath.Join(dir, "release")
	script := "#!/bin/sh\ncase \" $* \" in\n*' churn#prod#4 '*) : > '" + mark + "'\n" +
		"  while [ ! -e '" + release + "' ]; do sleep 0.02; done;;\nesac\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	open := func(ctx context.Context) (*registry.Registry, error) {
		opts := sealed(r, r.Dir, "")
		opts.GitEnv = append(opts.GitEnv, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		return registry.Open(ctx, opts)
	}
	_, ts := start(t, r, server.Options{Open: open, AllowWrite: true, Token: token})

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/api/v1/assign", strings.NewReader(`{"name": "churn", "ref": "HEAD", "stage": "prod"}`))
		for k, v := range bearerHeader(token) {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the write to reach the assignment", func() bool { _, err := os.Stat(mark); return err == nil })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the request was not cut off")
	}
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the assignment", func() bool { return tagExists(r, "churn#prod#4") })
	if !tagExists(r, "churn@v1.1.1") {
		t.Error("the assignment is there without the registration it needs")
	}
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
