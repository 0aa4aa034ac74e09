package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/cli"
)

// TestMain lets the test binary act as gto when GTO_TEST_AS_GTO is set,
// so that a test can run `gto serve` as a real process and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("GTO_TEST_AS_GTO") == "1" {
		os.Exit(cli.Run(context.Background(), cli.SystemEnv(), os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestGracefulShutdown starts `gto serve` as a process, sends it SIGTERM
// right after a request, and checks that the answer completes and the
// process stops listening and exits 0; then the same with SIGINT.
func TestGracefulShutdown(t *testing.T) {
	r := fixture(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := exec.Command(os.Args[0], "-r", r.Dir, "serve", "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "GTO_TEST_AS_GTO=1")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("gto serve: %v: %s", err, stderr.String())
		}
		m := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(line)
		if m == "" {
			cmd.Process.Kill()
			t.Fatalf("gto serve printed %q", line)
		}
		res, err := http.Get(m + "api/v1/history")
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 || !strings.Contains(string(body), `"churn"`) {
			t.Errorf("%v: the request in flight got %d, %v", sig, res.StatusCode, err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%v: gto serve exited with %v: %s", sig, err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: gto serve did not stop", sig)
		}
		if !strings.Contains(stderr.String(), "gto serve: stopped") {
			t.Errorf("%v: stderr %q", sig, stderr.String())
		}
		if _, err := http.Get(m); err == nil {
			t.Errorf("%v: still answering after exit", sig)
		}
	}
}
