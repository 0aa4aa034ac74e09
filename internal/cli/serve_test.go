package cli_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/cli"
	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func serveRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	c := r.Commit("first", nil)
	r.Tag("churn@v1.0.0", c, "Registering artifact churn version v1.0.0")
	r.Setenv()
	return r
}

func newEnv(out, errOut io.Writer, vars map[string]string) *cli.Env {
	return &cli.Env{Out: out, ErrOut: errOut, Now: time.Now, Getenv: func(k string) (string, bool) {
		if v, ok := vars[k]; ok {
			return v, true
		}
		if k == "GTO_SERVE_TOKEN" {
			return "", false
		}
		return os.LookupEnv(k)
	}}
}

func TestServeCommand(t *testing.T) {
	r := serveRepo(t)
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() {
		done <- cli.Run(ctx, newEnv(&out, &errOut, nil), []string{"-r", r.Dir, "serve", "--addr", "127.0.0.1:0"})
	}()
	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("the server did not say where it listens: %q %q", out.String(), errOut.String())
	}
	res, err := http.Get(base + "/api/v1/show")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"churn"`) {
		t.Errorf("GET /api/v1/show = %d %s", res.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("gto serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("gto serve did not stop")
	}
	if !strings.Contains(errOut.String(), "gto serve: stopped") || !strings.Contains(out.String(), "read-only") {
		t.Errorf("output %q, errors %q", out.String(), errOut.String())
	}
}

func TestServeFlags(t *testing.T) {
	r := serveRepo(t)
	for _, tc := range []struct {
		args []string
		vars map[string]string
		code int
		want string
	}{
		{[]string{"serve", "--allow-write"}, nil, 1, "--allow-write needs a token: set GTO_SERVE_TOKEN"},
		{[]string{"serve", "--allow-write"}, map[string]string{"GTO_SERVE_TOKEN": ""}, 1, "GTO_SERVE_TOKEN"},
		{[]string{"serve", "--allow-write", "--addr", "127.0.0.1:0"}, map[string]string{"GTO_SERVE_TOKEN": "a"}, 1, "GTO_SERVE_TOKEN is too short: --allow-write needs a secret of at least 16 characters"},
		{[]string{"serve", "--allow-write", "--addr", "127.0.0.1:0"}, map[string]string{"GTO_SERVE_TOKEN": "0123456789abcde"}, 1, "GTO_SERVE_TOKEN is too short"},
		{[]string{"serve", "--allow-write", "--addr", "127.0.0.1:0"}, map[string]string{"GTO_SERVE_TOKEN": "0123456789abcdef\n"}, 1, "GTO_SERVE_TOKEN contains a space or a control character"},
		{[]string{"serve", "--refresh", "-1"}, nil, 2, "--refresh must be a number of seconds"},
		{[]string{"serve", "extra"}, nil, 2, `Unexpected argument "extra"`},
		{[]string{"serve", "--addr", "127.0.0.1:-5"}, nil, 1, "Cannot listen on 127.0.0.1:-5"},
		{[]string{"site"}, nil, 2, "Missing argument DIR"},
	} {
		var out, errOut bytes.Buffer
		code := cli.Run(t.Context(), newEnv(&out, &errOut, tc.vars), append([]string{"-r", r.Dir}, tc.args...))
		if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("gto %s: exit %d, stderr %q; want %d and %q", strings.Join(tc.args, " "), code, errOut.String(), tc.code, tc.want)
		}
	}
	var out, errOut bytes.Buffer
	cli.Run(t.Context(), newEnv(&out, &errOut, nil), []string{"serve", "--help"})
	for _, want := range []string{"--addr", "127.0.0.1:8080", "--refresh", "--allow-write", "/api/v1/show/NAME", "GTO_SERVE_TOKEN", "at least 16 characters"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gto serve --help lacks %q", want)
		}
	}
}
