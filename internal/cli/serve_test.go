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

// startServe runs gto serve with args in-process until the test ends,
// and returns its base URL and a function that stops it and returns its
// exit code.
func startServe(t *testing.T, r *gittest.Repo, vars map[string]string, args ...string) (base string, out, errOut *syncBuffer, stop func() int) {
	t.Helper()
	out, errOut = &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, newEnv(out, errOut, vars), append([]string{"-r", r.Dir, "serve", "--addr", "127.0.0.1:0"}, args...))
	}()
	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("gto serve did not stop")
			return -1
		}
	}
	if base == "" {
		stop()
		t.Fatalf("the server did not say where it listens: %q %q", out.String(), errOut.String())
	}
	return base, out, errOut, stop
}

func TestServeCommand(t *testing.T) {
	r := serveRepo(t)
	base, out, errOut, stop := startServe(t, r, nil)
	res, err := http.Get(base + "/api/v1/show")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"churn"`) {
		t.Errorf("GET /api/v1/show = %d %s", res.StatusCode, body)
	}
	if code := stop(); code != 0 {
		t.Errorf("gto serve exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "gto serve: stopped") || !strings.Contains(out.String(), "read-only") {
		t.Errorf("output %q, errors %q", out.String(), errOut.String())
	}
}

// TestServeCommandHosts: --allowed-host adds a name the server answers
// to; any other Host gets 421 (a DNS-rebinding page); writes take a
// token of 16 characters or more.
func TestServeCommandHosts(t *testing.T) {
	r := serveRepo(t)
	token := "0123456789abcdef"
	base, out, errOut, stop := startServe(t, r, map[string]string{"GTO_SERVE_TOKEN": token}, "--allow-write", "--allowed-host", "models.example.com")
	defer stop()
	send := func(method, host, path, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	for host, want := range map[string]int{"models.example.com": 200, "evil.example": 421, strings.TrimPrefix(base, "http://"): 200} {
		if got := send("GET", host, "/api/v1/show", ""); got != want {
			t.Errorf("GET with Host %s: %d, want %d", host, got, want)
		}
	}
	if got := send("POST", "evil.example", "/api/v1/register", `{"name": "churn"}`); got != 421 {
		t.Errorf("a write with Host evil.example: %d", got)
	}
	r.Commit("second", nil)
	if got := send("POST", "models.example.com", "/api/v1/register", `{"name": "churn"}`); got != 201 {
		t.Errorf("a write with Host models.example.com: %d: %s", got, errOut.String())
	}
	if !strings.Contains(out.String(), "writes allowed with the token") {
		t.Errorf("output %q", out.String())
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
		{[]string{"serve", "--addr", "127.0.0.1:0", "--allowed-host", "a/b"}, nil, 1, `Invalid allowed host "a/b"`},
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
	for _, want := range []string{"--addr", "127.0.0.1:8080", "--refresh", "--allow-write", "--allowed-host", "/api/v1/show/NAME", "GTO_SERVE_TOKEN", "at least 16 characters", "421"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gto serve --help lacks %q", want)
		}
	}
}
