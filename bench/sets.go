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
	"strconv"
	"strings"
	"time"
)

// setMember is the shape of each repository of the registry-set
// benchmark: 20 artifacts × 25 versions + 500 stage tags = 1,000 tags.
var setMember = Shape{Name: "set-member", Artifacts: 20, Versions: 25, Stages: 25}

// runSets measures gto serve over a registry set of n repositories of
// 1,000 tags each (bench/README.md, "Registry sets"): the time to the
// first answer, the set's page and API once warm, against one repository
// served alone in the same run, and the server's RSS.
func runSets(n, runs int, gtoBin string, idle time.Duration) error {
	gtoBin, err := buildGTO(gtoBin)
	if err != nil {
		return err
	}
	file, one, err := ensureSet(n)
	if err != nil {
		return err
	}
	fmt.Printf("registry set of %d repositories × 1,000 tags (%s); %d runs (median)\n\n", n, file, runs)

	set, err := startServe(gtoBin, "--registries", file)
	if err != nil {
		return err
	}
	defer set.stop()
	single, err := startServe(gtoBin, "-r", one)
	if err != nil {
		return err
	}
	defer single.stop()

	fmt.Println("| measure | set | one repository | set / one |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	fmt.Printf("| start-up (listening to first page) | %s | %s | %.1f× |\n", ms(set.ready), ms(single.ready), float64(set.ready)/float64(single.ready))
	for _, route := range [][2]string{{"/", "/"}, {"/?deprecated=1", "/?deprecated=1"}, {"/?q=model-007", "/?q=model-007"}, {"/api/v1/repos/r07/show", "/api/v1/show"}, {"/repos/r07/artifacts/model-007", "/artifacts/model-007"}} {
		var a, b []time.Duration
		for range runs { // side by side, so that the machine's noise hits both
			d, err := set.get(route[0])
			if err != nil {
				return err
			}
			e, err := single.get(route[1])
			if err != nil {
				return err
			}
			a, b = append(a, d), append(b, e)
		}
		fmt.Printf("| GET `%s` (one: `%s`) | %s | %s | %.1f× |\n", route[0], route[1], ms(median(a)), ms(median(b)), float64(median(a))/float64(median(b)))
	}
	fmt.Printf("| RSS after the requests | %s | %s | |\n", procStatus(set.cmd.Process.Pid, "VmRSS"), procStatus(single.cmd.Process.Pid, "VmRSS"))
	fmt.Printf("| peak RSS | %s | %s | |\n", procStatus(set.cmd.Process.Pid, "VmHWM"), procStatus(single.cmd.Process.Pid, "VmHWM"))
	// Idle: the background checks (every member every 10 s; one repository
	// every 2 s), both processes over the same seconds.
	a0, b0 := treeTicks(set.cmd.Process.Pid), treeTicks(single.cmd.Process.Pid)
	time.Sleep(idle)
	a1, b1 := treeTicks(set.cmd.Process.Pid), treeTicks(single.cmd.Process.Pid)
	share := func(t int64) string { return fmt.Sprintf("%.1f%% of a core", float64(t)/idle.Seconds()) } // USER_HZ = 100
	fmt.Printf("| CPU while idle, with its gits (%v) | %s | %s | |\n", idle, share(a1-a0), share(b1-b0))
	return nil
}

// ensureSet makes n bare copies of the set-member registry under
// bench/.cache/sets-N/ and their gto-registries.yaml, and returns the
// file and the first copy.
func ensureSet(n int) (file, first string, err error) {
	src, err := ensureRepo(setMember)
	if err != nil {
		return "", "", err
	}
	dir, _ := filepath.Abs(filepath.Join(cacheRoot, fmt.Sprintf("sets-%d-%s", n, shapeVersion)))
	file = filepath.Join(dir, "gto-registries.yaml")
	first = filepath.Join(dir, "r00.git")
	if _, err := os.Stat(file); err == nil {
		return file, first, nil
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	var yaml strings.Builder
	for i := range n {
		name := fmt.Sprintf("r%02d", i)
		// Bare clones: every tag, annotations at HEAD; objects hard-linked.
		if err := gitRun(dir, nil, "clone", "-q", "--bare", src, name+".git"); err != nil {
			return "", "", err
		}
		fmt.Fprintf(&yaml, "- name: %s\n  repo: %s.git\n", name, name)
	}
	return file, first, os.WriteFile(file, []byte(yaml.String()), 0o644)
}

// served is a gto serve process.
type served struct {
	cmd   *exec.Cmd
	url   string
	ready time.Duration // from start to the first page
}

// startServe starts gto serve with args on a free port of 127.0.0.1 and
// waits for its first page.
func startServe(gtoBin string, args ...string) (*served, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(gtoBin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(benchEnv(), "GTO_CACHE_DIR="+filepath.Join(cacheRoot, "gto-cache"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &served{cmd: cmd, url: "http://" + addr}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "Serving ") {
		s.stop()
		return nil, fmt.Errorf("gto serve %s: %q %v", strings.Join(args, " "), line, err)
	}
	go io.Copy(io.Discard, out)
	if _, err := s.get("/"); err != nil {
		s.stop()
		return nil, err
	}
	s.ready = time.Since(start)
	return s, nil
}

// get times one request (the whole body read), without an ETag.
func (s *served) get(path string) (time.Duration, error) {
	start := time.Now()
	res, err := http.Get(s.url + path)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return time.Since(start), nil
}

func (s *served) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

// treeTicks is the CPU time of pid and of its children that ended (the
// gits of its checks), in clock ticks.
func treeTicks(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	var sum int64
	for _, f := range fields[11:15] { // utime, stime, cutime, cstime
		n, _ := strconv.ParseInt(f, 10, 64)
		sum += n
	}
	return sum
}
