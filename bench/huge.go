package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// oneArtifact are the commands that read one artifact's tags, compared
// with the same command on the small registry.
var oneArtifact = []string{"show NAME --json", "check-ref TAG", "describe NAME", "register NAME REF", "assign NAME --version V"}

// wholeRegistry are the commands that read every tag, compared with the
// floor and, for growth, with the large registry.
var wholeRegistry = []string{"show --json", "history --json", "stages"}

// runHuge is `-preset huge`: the CLI table of the small, large and huge
// registries, gto serve on large and huge, and the targets of the huge
// registry checked against the figures of this one run.
func runHuge(runs, requests int, gtoBin string) error {
	gtoBin, err := buildGTO(gtoBin)
	if err != nil {
		return err
	}
	sizes := []string{"small", "large", "huge"}
	dirs := map[string]string{}
	for _, name := range sizes { // generate first: the timings then run back to back
		if dirs[name], err = ensureRepo(Shapes[name]); err != nil {
			return err
		}
	}
	fmt.Printf("machine: %s/%s, %d CPUs, %s; runs: %d (median)\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), gitVersion(), runs)
	fmt.Println("| registry | tags | command | gto median | floor | ratio | gto peak RSS |")
	fmt.Println("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
	figures := map[string]map[string]result{}
	tags := map[string]int{}
	for _, name := range sizes {
		if figures[name], err = measureShape(Shapes[name], dirs[name], gtoBin, runs); err != nil {
			return err
		}
		if tags[name], err = countTags(dirs[name]); err != nil {
			return err
		}
	}
	growth, err := measureGrowth(dirs["huge"], dirs["large"], gtoBin, runs)
	if err != nil {
		return err
	}
	printServeHeader(requests)
	served := map[string]serveResult{}
	for _, name := range []string{"large", "huge"} {
		res, err := measureServe(Shapes[name], dirs[name], gtoBin, requests)
		if err != nil {
			return fmt.Errorf("serve on %s: %w", name, err)
		}
		printServe(Shapes[name], dirs[name], res)
		served[name] = res
	}
	printHugeTargets(figures, growth, tags, served)
	return nil
}

// measureGrowth measures each whole-registry command on huge in pairs with
// the same command on large, huge first, and returns the median of the
// pairs' ratios by command label: the two medians of the table come from
// runs minutes apart, and on a shared machine the large registry's took
// 184 ms in one run and 269 ms in the one before.
func measureGrowth(huge, large, gtoBin string, runs int) (map[string]float64, error) {
	out := map[string]float64{}
	for _, c := range commandsFor(Shapes["huge"]) {
		if !slices.Contains(wholeRegistry, c.label) {
			continue
		}
		res, err := measurePaired(runs, func(i int) (time.Duration, int64, error) {
			return timeCmd(huge, gtoBin, c.args(i)...)
		}, func() (time.Duration, int64, error) { return timeCmd(large, gtoBin, c.args(0)...) })
		if err != nil {
			return nil, fmt.Errorf("growth of %s: %w", c.label, err)
		}
		out[c.label] = res.vsFloor
	}
	floor, err := measurePaired(runs, func(int) (time.Duration, int64, error) { return timeCmd(huge, "sh", "-c", readFloor) },
		func() (time.Duration, int64, error) { return timeCmd(large, "sh", "-c", readFloor) })
	if err != nil {
		return nil, fmt.Errorf("growth of the floor: %w", err)
	}
	out["floor"] = floor.vsFloor
	return out, nil
}

func printHugeTargets(fig map[string]map[string]result, paired map[string]float64, tags map[string]int, served map[string]serveResult) {
	huge, large, small := fig["huge"], fig["large"], fig["small"]
	ratio := func(a, b result) float64 { return float64(a.median) / float64(b.median) }
	var floor, growth, one []string
	var peak int64
	for _, c := range wholeRegistry {
		floor = append(floor, fmt.Sprintf("`%s` %.2f×", c, huge[c].vsFloor))
		growth = append(growth, fmt.Sprintf("`%s` %.1f× (medians: %.1f×)", c, paired[c], ratio(huge[c], large[c])))
	}
	for c, r := range huge {
		if c != "floor" {
			peak = max(peak, r.rss)
		}
	}
	for _, c := range oneArtifact {
		one = append(one, fmt.Sprintf("`%s` %.2f×", c, ratio(huge[c], small[c])))
	}
	tagRatio := float64(tags["huge"]) / float64(tags["large"])
	fmt.Printf("\n| target (huge registry) | result |\n| --- | --- |\n")
	fmt.Printf("| `show --json`, `history --json`, `stages` ≤ 1.3× floor | %s (floor %s) |\n", strings.Join(floor, ", "), ms(huge["floor"].median))
	fmt.Printf("| peak RSS < 400 MB | %.1f MB at most |\n", float64(peak)/1024)
	fmt.Printf("| one-artifact commands ≤ 1.5× the same on small | %s |\n", strings.Join(one, ", "))
	fmt.Printf("| growth huge/large within 1.3× of the tag ratio (%.1f×: %.1f–%.1f×), in pairs | %s (floor %.1f×; medians: %.1f×) |\n",
		tagRatio, tagRatio/1.3, tagRatio*1.3, strings.Join(growth, ", "), paired["floor"], ratio(huge["floor"], large["floor"]))
	fmt.Printf("| `gto serve` RSS after the requests: large < 100 MB, huge < 600 MB | large %s (peak %s), huge %s (peak %s) |\n",
		served["large"].rss, served["large"].hwm, served["huge"].rss, served["huge"].hwm)
}
