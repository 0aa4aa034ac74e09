package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
// so that a test can run `gto serve` as a real process and signal it, and
// run gto with a repository's sealed environment without setting the
// test process's: GTO_TEST_AS_GTO=1 runs one command (the arguments);
// GTO_TEST_AS_GTO=batch runs several, in one process, from a JSON list of
// argument lists on stdin, and prints a JSON list of their results.
func TestMain(m *testing.M) {
	switch os.Getenv("GTO_TEST_AS_GTO") {
	case "1":
		os.Exit(cli.Run(context.Background(), cli.SystemEnv(), os.Args[1:]))
	case "batch":
		os.Exit(runBatch())
	}
	os.Exit(m.Run())
}

// batchResult is what one command of a batch printed, and its exit code.
type batchResult struct {
	Out, Err string
	Code     int
}

func runBatch() int {
	var cmds [][]string
	if err := json.NewDecoder(os.Stdin).Decode(&cmds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	results := make([]batchResult, len(cmds))
	for i, args := range cmds {
		var out, errOut bytes.Buffer
		env := &cli.Env{Out: &out, ErrOut: &errOut, Getenv: os.LookupEnv, Now: time.Now}
		results[i].Code = cli.Run(context.Background(), env, args)
		results[i].Out, results[i].Err = out.String(), errOut.String()
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// TestGracefulShutdown starts `gto serve` as a process, sends it SIGTERM
// right after a request, and checks that the answer completes and the
// process stops listening and exits 0; then the same with SIGINT.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := exec.Command(os.Args[0], "-r", r.Dir, "serve", "--addr", "127.0.0.1:0")
		cmd.Env = gtoEnv(r)
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
