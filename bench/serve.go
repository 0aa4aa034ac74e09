package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// serveRoutes are what the serve measurement asks for, in turn: the
// registry page, an artifact page (another artifact each time) and the
// whole journal's JSON.
var serveRoutes = []struct {
	label string
	path  func(s Shape, i int) string
}{
	{"`/` (registry page)", func(Shape, int) string { return "/" }},
	{"`/artifacts/NAME` (artifact page)", func(s Shape, i int) string { return "/artifacts/" + artifactName(i%s.Artifacts) }},
	{"`/api/v1/history` (history JSON)", func(Shape, int) string { return "/api/v1/history" }},
}

// serveResult is one gto serve measurement.
type serveResult struct {
	start    time.Duration   // from the process start to its first answer
	medians  []time.Duration // per serveRoutes entry
	rss, hwm string          // VmRSS after the requests, VmHWM (peak)
	serving  int64           // the highest VmRSS sampled during the requests, kB
	bytes    []int64         // per route, of the last answer
}

// measureServe starts `gto serve` on dir (its default refresh: a check
// every 2 s), sends requests requests one after the other over
// serveRoutes, and reads its resident memory after them.
func measureServe(s Shape, dir, gtoBin string, requests int) (serveResult, error) {
	var res serveResult
	cmd := exec.Command(gtoBin, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir, cmd.Env = dir, benchEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return res, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return res, fmt.Errorf("gto serve: %v: %s", err, errb.String())
	}
	go io.Copy(io.Discard, out)
	_, addr, ok := strings.Cut(line, " at http://")
	addr, _, _ = strings.Cut(addr, "/")
	if !ok || addr == "" {
		return res, fmt.Errorf("gto serve printed %q", line)
	}
	base := "http://" + addr
	client := &http.Client{}
	get := func(path string) (time.Duration, int64, error) {
		t := time.Now()
		r, err := client.Get(base + path)
		if err != nil {
			return 0, 0, err
		}
		n, err := io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if err == nil && r.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", path, r.Status)
		}
		return time.Since(t), n, err
	}
	if _, _, err := get("/"); err != nil {
		return res, err
	}
	res.start = time.Since(begin)
	pid := cmd.Process.Pid
	stop, sampled := sampleRSS(pid, 100*time.Millisecond)
	times := make([][]time.Duration, len(serveRoutes))
	res.bytes = make([]int64, len(serveRoutes))
	for i := range requests {
		r := i % len(serveRoutes)
		d, n, err := get(serveRoutes[r].path(s, i/len(serveRoutes)))
		if err != nil {
			close(stop)
			return res, err
		}
		times[r], res.bytes[r] = append(times[r], d), n
	}
	for _, t := range times {
		res.medians = append(res.medians, median(t))
	}
	res.rss, res.hwm = procStatus(pid, "VmRSS"), procStatus(pid, "VmHWM")
	close(stop)
	res.serving = <-sampled
	return res, nil
}

// sampleRSS reads the VmRSS of pid every period until stop is closed, and
// then sends the highest it read, in kB: the peak while the server serves,
// which VmHWM (the peak of the whole run, its first read included) hides.
func sampleRSS(pid int, period time.Duration) (stop chan struct{}, highest <-chan int64) {
	stop = make(chan struct{})
	out := make(chan int64, 1)
	go func() {
		var top int64
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(procStatus(pid, "VmRSS"), " kB"), 10, 64)
			top = max(top, kb)
			select {
			case <-stop:
				out <- top
				return
			case <-t.C:
			}
		}
	}()
	return stop, out
}

// runServe prints the serve table for sizes.
func runServe(sizes []string, requests int, gtoBin string) error {
	gtoBin, err := buildGTO(gtoBin)
	if err != nil {
		return err
	}
	printServeHeader(requests)
	for _, name := range sizes {
		shape, dir, err := namedRepo(name)
		if err != nil {
			return err
		}
		res, err := measureServe(shape, dir, gtoBin, requests)
		if err != nil {
			return fmt.Errorf("serve on %s: %w", name, err)
		}
		printServe(shape, dir, res)
	}
	return nil
}

func printServeHeader(requests int) {
	fmt.Printf("\n`gto serve`, %d requests in turn over the routes below (one client, keep-alive)\n\n", requests)
	fmt.Println("| registry | tags | route | answer | warm median | RSS after | peak RSS | peak RSS serving | first answer |")
	fmt.Println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
}

func printServe(s Shape, dir string, res serveResult) {
	tags, _ := countTags(dir)
	for i, r := range serveRoutes {
		fmt.Printf("| %s | %d | %s | %.1f MB | %s | %s | %s | %d kB | %s |\n", s.Name, tags, r.label,
			float64(res.bytes[i])/1e6, ms(res.medians[i]), res.rss, res.hwm, res.serving, res.start.Round(10*time.Millisecond))
	}
}

// namedRepo returns the shape called name and its cached registry.
func namedRepo(name string) (Shape, string, error) {
	shape, ok := Shapes[name]
	if !ok {
		return shape, "", fmt.Errorf("unknown size %q", name)
	}
	dir, err := ensureRepo(shape)
	return shape, dir, err
}
