// Command bench measures gto on synthetic registries and prints one table:
// for each registry size and command, the median of N runs, the "floor"
// (the fastest way git offers to read every tag object:
// `git for-each-ref --format=%(objectname) refs/tags | git cat-file --batch`),
// their ratio and gto's peak RSS.
//
//	go run ./bench                       # every size, 5 runs each
//	go run ./bench -sizes small,medium   # some sizes
//	go run ./bench -runs 9 -gto ./gto    # more runs, a given binary
//	go run ./bench -action               # the GitHub Action vs gto-action's fetch
//	go run ./bench -sets 50              # gto serve over 50 repositories of 1,000 tags
//	go run ./bench -preset huge          # 500,000 tags and gto serve's memory
//	go run ./bench -serve -sizes large   # gto serve: warm pages, RSS
//
// Registries are built once with git fast-import and cached in
// bench/.cache (delete it to rebuild). See bench/README.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

var cacheRoot = filepath.Join("bench", ".cache")

// shapeVersion changes when the generator changes, so caches are rebuilt.
const shapeVersion = "v1"

func main() {
	sizes := flag.String("sizes", "small,medium,large,large-loose,deep", "comma-separated registry sizes")
	runs := flag.Int("runs", 5, "runs per measurement (the median is reported)")
	gtoBin := flag.String("gto", "", "gto binary to measure (default: build ./cmd/gto)")
	action := flag.Bool("action", false, "measure the GitHub Action's fetch and gto call against gto-action's way (bench/action.go)")
	events := flag.Bool("events", false, "measure gto events against history --json, an idle gto watch and the cost of one delivery, on the large registry (bench/events.go, bench/deliveries.go)")
	get := flag.Bool("get", false, "measure gto get of a 200 MB folder against git archive, and what a get through a remote's mirror fetches (bench/get.go)")
	idle := flag.Duration("idle", 30*time.Second, "with -events or -sets: how long the idle process is measured")
	sets := flag.Int("sets", 0, "measure gto serve over a registry set of this many repositories of 1,000 tags, against one of them served alone (bench/sets.go)")
	preset := flag.String("preset", "", `"huge": the small, large and huge (500,000 tags) registries, gto serve on large and huge, and the huge registry's targets (bench/huge.go)`)
	serve := flag.Bool("serve", false, "measure gto serve on -sizes: warm page times and RSS after -requests requests (bench/serve.go)")
	requests := flag.Int("requests", 1000, "with -serve or -preset huge: requests per registry")
	flag.Parse()
	do := func() error { return run(strings.Split(*sizes, ","), *runs, *gtoBin) }
	if *action {
		do = func() error { return runAction(*runs, *gtoBin) }
	}
	if *events {
		do = func() error { return runEvents(*runs, *gtoBin, *idle) }
	}
	if *sets > 0 {
		do = func() error { return runSets(*sets, *runs, *gtoBin, *idle) }
	}
	if *get {
		do = func() error { return runGet(*runs, *gtoBin) }
	}
	if *serve {
		do = func() error { return runServe(strings.Split(*sizes, ","), *requests, *gtoBin) }
	}
	switch *preset {
	case "":
	case "huge":
		do = func() error { return runHuge(*runs, *requests, *gtoBin) }
	default:
		fmt.Fprintf(os.Stderr, "bench: unknown preset %q (there is one: huge)\n", *preset)
		os.Exit(2)
	}
	if err := do(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(sizes []string, runs int, gtoBin string) error {
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return err
	}
	gtoBin, err := buildGTO(gtoBin)
	if err != nil {
		return err
	}
	fmt.Printf("machine: %s/%s, %d CPUs, %s; runs: %d (median)\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), gitVersion(), runs)
	fmt.Println("| registry | tags | command | gto median | floor | ratio | gto peak RSS |")
	fmt.Println("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
	for _, name := range sizes {
		shape, dir, err := namedRepo(name)
		if err != nil {
			return err
		}
		if _, err := measureShape(shape, dir, gtoBin, runs); err != nil {
			return err
		}
	}
	return nil
}

// buildGTO builds ./cmd/gto into the cache unless gtoBin names a binary,
// and returns its absolute path.
func buildGTO(gtoBin string) (string, error) {
	if gtoBin == "" {
		gtoBin, _ = filepath.Abs(filepath.Join(cacheRoot, "gto"))
		build := exec.Command("go", "build", "-o", gtoBin, "./cmd/gto")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return "", fmt.Errorf("building gto: %w", err)
		}
	}
	return filepath.Abs(gtoBin)
}

// ensureRepo returns the cached registry of shape, generating it if needed.
func ensureRepo(s Shape) (string, error) {
	dir, _ := filepath.Abs(filepath.Join(cacheRoot, s.Name+"-"+shapeVersion))
	if _, err := os.Stat(filepath.Join(dir, ".git", "gto-bench-done")); err == nil {
		return dir, nil
	}
	os.RemoveAll(dir)
	start := time.Now()
	fmt.Fprintf(os.Stderr, "generating %s registry in %s ...\n", s.Name, dir)
	if err := generate(dir, s); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "generated %s in %s\n", s.Name, time.Since(start).Round(time.Millisecond))
	return dir, os.WriteFile(filepath.Join(dir, ".git", "gto-bench-done"), nil, 0o644)
}

// command is one row of the table.
type command struct {
	label string
	args  func(run int) []string
	write bool // mutates the repository: measured on a copy
}

func commandsFor(s Shape) []command {
	name := artifactName(s.Artifacts / 2)
	stat := func(args ...string) func(int) []string { return func(int) []string { return args } }
	cmds := []command{
		{label: "show --json", args: stat("show", "--json")},
		{label: "show NAME --json", args: stat("show", name, "--json")},
		{label: "history --json", args: stat("history", "--json")},
		{label: "check-ref TAG", args: stat("check-ref", name+"#prod#3")},
		{label: "stages", args: stat("stages")},
		{label: "describe NAME", args: stat("describe", name)},
		{label: "register NAME REF", write: true, args: func(i int) []string {
			// A spare commit takes one version per artifact: past the last
			// spare commit, the runs go on with the next artifact.
			next := artifactName((s.Artifacts/2 + i/spareCommits) % s.Artifacts)
			return []string{"register", next, fmt.Sprintf("spare~%d", i%spareCommits)}
		}},
		{label: "assign NAME --version V", write: true, args: func(i int) []string {
			return []string{"assign", name, "--version", "v1.0.0", "--stage", fmt.Sprintf("bench-%d", i)}
		}},
	}
	if s.Commits > 0 {
		cmds = append(cmds, command{label: "show --all-commits --json", args: stat("show", "--all-commits", "--json")})
	}
	return cmds
}

// measureRemote times `show --json -r file://DIR` against the registry as a
// remote, once the mirror in the cache exists (the second and later calls),
// and counts the objects the calls transferred into the mirror.
func measureRemote(s Shape, dir, gtoBin string, runs int, local time.Duration) error {
	cache := filepath.Join(filepath.Dir(dir), "remote-cache-"+s.Name)
	os.RemoveAll(cache)
	url := "file://" + dir
	run := func() (time.Duration, int64, error) {
		cmd := exec.Command(gtoBin, "show", "--json", "-r", url)
		cmd.Env = append(benchEnv(), "GTO_CACHE_DIR="+cache)
		var errb strings.Builder
		cmd.Stderr = &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, 0, fmt.Errorf("%v: %s", err, errb.String())
		}
		return time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss, nil
	}
	first, _, err := run()
	if err != nil {
		return err
	}
	before := countObjects(cache)
	res, err := measure(runs, func(int) (time.Duration, int64, error) { return run() })
	if err != nil {
		return err
	}
	after := countObjects(cache)
	fmt.Printf("| %s | remote | `show --json -r file://` (first call: %s) | %s | %s (local `show --json`) | %.2f× | %.1f MB |\n",
		s.Name, ms(first), ms(res.median), ms(local), float64(res.median)/float64(local), float64(res.rss)/1024)
	fmt.Printf("\n%s: objects in the mirror before the later calls: %s; after: %s\n\n", s.Name, before, after)
	return nil
}

// countObjects sums `git count-objects -v` of the mirrors under cache.
func countObjects(cache string) string {
	dirs, _ := filepath.Glob(filepath.Join(cache, "*.git"))
	var out strings.Builder
	for _, d := range dirs {
		var b strings.Builder
		gitRun(d, &b, "count-objects", "-v")
		for _, line := range strings.Split(b.String(), "\n") {
			if strings.HasPrefix(line, "count:") || strings.HasPrefix(line, "in-pack:") {
				out.WriteString(strings.TrimSpace(line) + " ")
			}
		}
	}
	return strings.TrimSpace(out.String())
}

// readFloor is the floor of a read: the fastest way git offers to read
// every tag object.
const readFloor = "git for-each-ref --format='%(objectname)' refs/tags | git cat-file --batch >/dev/null"

// writeFloor returns the floor of a write in the registry copy dir: what
// git itself takes to read every tag object and then write one annotated
// tag (a name gto ignores, at HEAD), the least a write that checks the
// registry first can cost. Against the read floor alone, a write could
// never come near 1×: its own `git tag -a` costs about as much.
func writeFloor(dir string) func() (time.Duration, int64, error) {
	n := 0
	return func() (time.Duration, int64, error) {
		n++
		return timeCmd(dir, "sh", "-c", fmt.Sprintf("%s && git tag -a -m 'floor %d' bench-floor-%d HEAD", readFloor, n, n))
	}
}

// measureShape prints the rows of shape s and returns its figures: by
// command label, and "floor".
func measureShape(s Shape, dir, gtoBin string, runs int) (map[string]result, error) {
	if most := spareCommits*s.Artifacts - 1; runs > most {
		return nil, fmt.Errorf("%d runs are more than the %s registry's spare commits allow for register (at most %d)", runs, s.Name, most)
	}
	tags, err := countTags(dir)
	if err != nil {
		return nil, err
	}
	floorCmd := func() (time.Duration, int64, error) { return timeCmd(dir, "sh", "-c", readFloor) }
	floor, err := measure(runs, func(int) (time.Duration, int64, error) { return floorCmd() })
	if err != nil {
		return nil, err
	}
	figures := map[string]result{"floor": floor}
	var localShow time.Duration
	for _, c := range commandsFor(s) {
		work := dir
		if c.write {
			work = filepath.Join(filepath.Dir(dir), s.Name+"-copy")
			os.RemoveAll(work)
			if err := exec.Command("cp", "-a", dir, work).Run(); err != nil {
				return nil, err
			}
		}
		pairedFloor := floorCmd
		if c.write {
			pairedFloor = writeFloor(work)
		}
		res, err := measurePaired(runs, func(i int) (time.Duration, int64, error) {
			return timeCmd(work, gtoBin, c.args(i)...)
		}, pairedFloor)
		if c.write {
			os.RemoveAll(work)
		}
		if err != nil {
			return nil, fmt.Errorf("%s on %s: %w", c.label, s.Name, err)
		}
		figures[c.label] = res
		fmt.Printf("| %s | %d | `%s` | %s | %s | %.2f× | %.1f MB |\n", s.Name, tags, c.label,
			ms(res.median), ms(res.floor), res.vsFloor, float64(res.rss)/1024)
		if c.label == "show --json" {
			localShow = res.median
		}
	}
	if s.Name == "medium" {
		return figures, measureRemote(s, dir, gtoBin, runs, localShow)
	}
	return figures, nil
}

type result struct {
	median time.Duration
	rss    int64 // KiB, maximum over runs
	// With measurePaired: the median of the floor's runs, each just
	// before one of the command's, and the median of the pairs' ratios.
	floor   time.Duration
	vsFloor float64
}

// measurePaired runs f once unmeasured (a new binary's first run builds
// its caches; a write's first run of a copy is no different from the
// others), then runs floor and f alternately runs times: noise that lasts
// a few seconds hits both sides of a pair, so the ratio is the median of
// the pairs' ratios, not of the two medians. f is called with 0..runs-1
// for the measured runs and runs for the warm-up.
func measurePaired(runs int, f func(i int) (time.Duration, int64, error), floor func() (time.Duration, int64, error)) (result, error) {
	if _, _, err := f(runs); err != nil {
		return result{}, err
	}
	var floors, ratios []time.Duration
	res, err := measure(runs, func(i int) (time.Duration, int64, error) {
		fd, _, err := floor()
		if err != nil {
			return 0, 0, err
		}
		d, rss, err := f(i)
		floors = append(floors, fd)
		ratios = append(ratios, time.Duration(float64(d)/float64(fd)*1e6)) // ratio in millionths
		return d, rss, err
	})
	if err != nil {
		return res, err
	}
	res.floor, res.vsFloor = median(floors), float64(median(ratios))/1e6
	return res, nil
}

func measure(runs int, f func(i int) (time.Duration, int64, error)) (result, error) {
	var times []time.Duration
	var res result
	for i := 0; i < runs; i++ {
		d, rss, err := f(i)
		if err != nil {
			return res, err
		}
		times = append(times, d)
		res.rss = max(res.rss, rss)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	res.median = times[len(times)/2]
	return res, nil
}

// timeCmd runs a command in dir and returns its wall time and peak RSS.
func timeCmd(dir, name string, args ...string) (time.Duration, int64, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(benchEnv(), "GIT_COMMITTER_DATE=1700000000 +0000", "GTO_CACHE_DIR="+filepath.Join(dir, "..", "gto-cache"))
	var errb strings.Builder
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, errb.String())
	}
	d := time.Since(start)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return d, rss, nil
}

func countTags(dir string) (int, error) {
	var out strings.Builder
	if err := gitRun(dir, &out, "for-each-ref", "--format=x", "refs/tags"); err != nil {
		return 0, err
	}
	return strings.Count(out.String(), "\n"), nil
}

func gitVersion() string {
	out, err := exec.Command("git", "version").Output()
	if err != nil {
		return "git ?"
	}
	return strings.TrimSpace(string(out))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
