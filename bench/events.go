package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// runEvents measures gto events and gto watch on the large registry
// (bench/README.md, "Events and watch"): the time to the first event and
// the whole stream against `history --json` in the same run, then an idle
// `watch --interval 1s`: its CPU over idle seconds and its RSS, then the
// cost of one delivery (measureDeliveries).
func runEvents(runs int, gtoBin string, idle time.Duration) error {
	gtoBin, err := buildGTO(gtoBin)
	if err != nil {
		return err
	}
	dir, err := ensureRepo(Shapes["large"])
	if err != nil {
		return err
	}
	var first, total, history []time.Duration
	for range runs { // side by side, so that the machine's noise hits both
		f, t, err := timeEvents(dir, gtoBin)
		if err != nil {
			return err
		}
		h, _, err := timeCmd(dir, gtoBin, "history", "--json")
		if err != nil {
			return err
		}
		first, total, history = append(first, f), append(total, t), append(history, h)
	}
	fmt.Printf("large registry, %d runs (median)\n\n", runs)
	fmt.Println("| measure | median | vs history --json |")
	fmt.Println("| --- | ---: | ---: |")
	h := median(history)
	fmt.Printf("| `history --json` | %s | 1.00× |\n", ms(h))
	fmt.Printf("| `events`: first event | %s | %.2f× |\n", ms(median(first)), float64(median(first))/float64(h))
	fmt.Printf("| `events`: all 50,000 | %s | %.2f× |\n", ms(median(total)), float64(median(total))/float64(h))
	if err := measureIdleWatch(dir, gtoBin, idle); err != nil {
		return err
	}
	var per []time.Duration
	n := 0
	for range runs {
		k, d, err := measureDeliveries(dir, gtoBin, "model-001")
		if err != nil {
			return err
		}
		n, per = k, append(per, d)
	}
	fmt.Printf("\n| `watch --since 0 --name model-001 --webhook` (50,000 tags known) | median |\n| --- | ---: |\n")
	fmt.Printf("| one delivery, state saved (%d deliveries) | %s |\n", n, ms(median(per)))
	return nil
}

// timeEvents runs gto events and returns the time to its first line and
// to its end.
func timeEvents(dir, gtoBin string) (first, total time.Duration, err error) {
	cmd := exec.Command(gtoBin, "events")
	cmd.Dir, cmd.Env = dir, benchEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		if n++; n == 1 {
			first = time.Since(start)
		}
	}
	if err := cmd.Wait(); err != nil {
		return 0, 0, err
	}
	if n != 50000 {
		return 0, 0, fmt.Errorf("gto events printed %d events", n)
	}
	return first, time.Since(start), nil
}

// measureIdleWatch starts gto watch --interval 1s on the registry, waits
// for its first look (its state file), then reads its CPU time and RSS
// from /proc over idle.
func measureIdleWatch(dir, gtoBin string, idle time.Duration) error {
	state := filepath.Join(filepath.Dir(dir), "watch-state.json")
	os.Remove(state)
	cmd := exec.Command(gtoBin, "watch", "--interval", "1s", "--exec", "true", "--state", state)
	cmd.Dir, cmd.Env = dir, benchEnv()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(state); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gto watch wrote no state in a minute")
		}
	}
	time.Sleep(3 * time.Second) // past the first looks and the ref stamp's settling
	pid := cmd.Process.Pid
	cpu0, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	start := time.Now()
	time.Sleep(idle)
	cpu1, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	rss, hwm := procStatus(pid, "VmRSS"), procStatus(pid, "VmHWM")
	used := time.Duration(cpu1-cpu0) * 10 * time.Millisecond // USER_HZ = 100
	fmt.Printf("\n| idle `watch --interval 1s` | value |\n| --- | ---: |\n")
	fmt.Printf("| CPU over %s idle | %s (%.2f%% of one core) |\n", elapsed.Round(time.Second), used, 100*used.Seconds()/elapsed.Seconds())
	fmt.Printf("| RSS idle | %s |\n| peak RSS (first look) | %s |\n", rss, hwm)
	return nil
}

// cpuTicks is the user and system time of pid, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime, nil
}

// procStatus is a field of /proc/PID/status ("41848 kB").
func procStatus(pid int, field string) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
