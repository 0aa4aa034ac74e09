package server_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/gto-dev/gto/internal/server"
	"github.com/gto-dev/gto/registry"
)

// The benchmarks serve the large registry of the benchmark harness (500
// artifacts, 50,000 tags; build it with `go run ./bench -sizes large -runs
// 1`), or GTO_BENCH_REPO. Figures are in bench/RESULTS.md.
//
//	go test -run '^$' -bench . -benchtime 200x ./internal/server/
func benchServer(b *testing.B) (*server.Server, string) {
	b.Helper()
	repo := os.Getenv("GTO_BENCH_REPO")
	if repo == "" {
		repo, _ = filepath.Abs(filepath.Join("..", "..", "bench", ".cache", "large-v1"))
	}
	if _, err := os.Stat(filepath.Join(repo, ".git")); err != nil {
		b.Skipf("no benchmark registry at %s: run go run ./bench -sizes large -runs 1", repo)
	}
	srv, ts := serve(b, repo, server.Options{Open: openPlain(repo)})
	return srv, ts.URL
}

// BenchmarkLargeRead is a full read: what the server does at start and
// whenever the fingerprint changed (the snapshot and the views).
func BenchmarkLargeRead(b *testing.B) {
	srv, _ := benchServer(b)
	_ = srv
	repo := os.Getenv("GTO_BENCH_REPO")
	if repo == "" {
		repo, _ = filepath.Abs(filepath.Join("..", "..", "bench", ".cache", "large-v1"))
	}
	for b.Loop() {
		if _, err := server.New(b.Context(), server.Options{Open: openPlain(repo)}); err != nil {
			b.Fatal(err)
		}
	}
}

// openPlain opens the registry at repo with the process environment (the
// benchmark registry is not a gittest repository).
func openPlain(repo string) func(context.Context) (*registry.Registry, error) {
	return func(ctx context.Context) (*registry.Registry, error) {
		return registry.Open(ctx, registry.Options{Repo: repo})
	}
}

func benchGet(b *testing.B, url string, header map[string]string, want int) {
	b.Helper()
	client := &http.Client{}
	fetch := func() {
		req, _ := http.NewRequest("GET", url, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			b.Fatalf("GET %s = %d", url, res.StatusCode)
		}
		b.SetBytes(n)
	}
	fetch() // warm: the first request of a route may compute and cache its document
	b.ResetTimer()
	for b.Loop() {
		fetch()
	}
}

func BenchmarkLargeRegistryPage(b *testing.B) {
	_, url := benchServer(b)
	benchGet(b, url+"/", nil, 200)
}

func BenchmarkLargeShowJSON(b *testing.B) {
	_, url := benchServer(b)
	benchGet(b, url+"/api/v1/show", nil, 200)
}

func BenchmarkLargeShowJSONNotModified(b *testing.B) {
	srv, url := benchServer(b)
	res, err := http.Get(url + "/api/v1/show")
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	tag := res.Header.Get("ETag")
	if tag == "" || srv.Fingerprint() == "" {
		b.Fatal("no ETag")
	}
	benchGet(b, url+"/api/v1/show", map[string]string{"If-None-Match": tag}, 304)
}

func BenchmarkLargeArtifactPage(b *testing.B) {
	_, url := benchServer(b)
	benchGet(b, url+"/artifacts/model-000", nil, 200)
}

func BenchmarkLargeShowArtifactJSON(b *testing.B) {
	_, url := benchServer(b)
	benchGet(b, url+"/api/v1/show/model-000", nil, 200)
}

func BenchmarkLargeHistoryPage(b *testing.B) {
	_, url := benchServer(b)
	benchGet(b, url+"/history", nil, 200)
}

func BenchmarkLargeHistoryJSON(b *testing.B) {
	_, url := benchServer(b)
	benchGet(b, url+"/api/v1/history", nil, 200)
}

// BenchmarkLargeRefresh is the background check when nothing changed:
// open the registry and compute its fingerprint.
func BenchmarkLargeRefresh(b *testing.B) {
	srv, _ := benchServer(b)
	b.ResetTimer()
	for b.Loop() {
		if changed, err := srv.Refresh(b.Context()); err != nil || changed {
			b.Fatal(changed, err)
		}
	}
}
