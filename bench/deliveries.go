package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// measureDeliveries times gto watch delivering one artifact's events (all
// of them, --since 0 --name NAME) to a webhook on 127.0.0.1 while it knows
// every tag of the registry: what one delivery costs on a large registry,
// where the state is saved after each one.
func measureDeliveries(dir, gtoBin, name string) (n int, perDelivery time.Duration, err error) {
	want, err := countEvents(dir, gtoBin, name)
	if err != nil {
		return 0, 0, err
	}
	var got atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got.Add(1)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	state := filepath.Join(filepath.Dir(dir), "deliveries-state.json")
	os.Remove(state)
	cmd := exec.Command(gtoBin, "watch", "--since", "0", "--name", name, "--interval", "1s",
		"--webhook", "http://"+ln.Addr().String()+"/", "--state", state)
	cmd.Dir, cmd.Env = dir, append(benchEnv(), "GTO_WEBHOOK_SECRET=bench")
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var first time.Time
	for deadline := time.Now().Add(5 * time.Minute); got.Load() < int64(want); time.Sleep(time.Millisecond) {
		if first.IsZero() && got.Load() > 0 {
			first = time.Now()
		}
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("gto watch delivered %d of %d events in 5 minutes", got.Load(), want)
		}
	}
	if want < 2 {
		return want, 0, nil
	}
	// From the first delivery to the last: the first look is not counted.
	return want, time.Since(first) / time.Duration(want-1), nil
}

// countEvents counts the events of artifact name in gto events.
func countEvents(dir, gtoBin, name string) (int, error) {
	cmd := exec.Command(gtoBin, "events")
	cmd.Dir, cmd.Env = dir, benchEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"artifact":"`+name+`"`) {
			n++
		}
	}
	if err := cmd.Wait(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("gto events has no event of %s", name)
	}
	return n, nil
}
