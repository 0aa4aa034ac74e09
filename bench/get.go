package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The get shape: models/big, a folder of getFiles files of getFileSize
// incompressible bytes (200 MB), registered as big@v1.0.0, and
// models/other, otherFiles more files that a get of big must not fetch.
const (
	getFiles    = 1000
	getFileSize = 200 << 10
	otherFiles  = 200
)

// runGet measures `gto get big -o DIR` against `git archive` of the same
// tree extracted with tar (the same files on disk), side by side, and the
// objects a get through a remote's blobless mirror transfers.
func runGet(runs int, gtoBin string) error {
	gtoBin, err := buildGTO(gtoBin)
	if err != nil {
		return err
	}
	dir, err := ensureGetRepo()
	if err != nil {
		return err
	}
	out := filepath.Join(filepath.Dir(dir), "get-out")
	fresh := func() error {
		os.RemoveAll(out)
		return os.MkdirAll(out, 0o755)
	}
	var gto, archive, archiveFile, archiveNull []time.Duration
	for range runs { // alternated, so that the machine's noise hits all three
		if err := fresh(); err != nil {
			return err
		}
		d, _, err := timeCmd(dir, gtoBin, "get", "big", "-o", out)
		if err != nil {
			return err
		}
		gto = append(gto, d)
		if err := fresh(); err != nil {
			return err
		}
		if d, _, err = timeCmd(dir, "sh", "-c", "git archive --format=tar HEAD:models/big | tar -x -C "+out); err != nil {
			return err
		}
		archive = append(archive, d)
		if err := fresh(); err != nil {
			return err
		}
		if d, _, err = timeCmd(dir, "git", "archive", "--format=tar", "-o", filepath.Join(out, "big.tar"), "HEAD:models/big"); err != nil {
			return err
		}
		archiveFile = append(archiveFile, d)
		if d, _, err = timeCmd(dir, "sh", "-c", "git archive --format=tar HEAD:models/big >/dev/null"); err != nil {
			return err
		}
		archiveNull = append(archiveNull, d)
	}
	g, a, f, n := median(gto), median(archive), median(archiveFile), median(archiveNull)
	fmt.Printf("get: %d files of %d KB, %d runs (median), %s\n\n", getFiles, getFileSize>>10, runs, gitVersion())
	fmt.Println("| command | median wall | gto / this |")
	fmt.Println("| --- | ---: | ---: |")
	fmt.Printf("| `gto get big -o DIR` | %s | 1.00× |\n", ms(g))
	fmt.Printf("| `git archive HEAD:models/big \\| tar -x -C DIR` | %s | %.2f× |\n", ms(a), float64(g)/float64(a))
	fmt.Printf("| `git archive -o DIR/big.tar HEAD:models/big` | %s | %.2f× |\n", ms(f), float64(g)/float64(f))
	fmt.Printf("| `git archive HEAD:models/big >/dev/null` | %s | %.2f× |\n\n", ms(n), float64(g)/float64(n))
	return measureGetRemote(dir, gtoBin, out)
}

// measureGetRemote serves the get repository as a file:// remote (which
// then allows partial clones), makes its blobless mirror with `gto show`,
// and counts the mirror's objects before and after `gto get big`.
func measureGetRemote(dir, gtoBin, out string) error {
	bare := filepath.Join(filepath.Dir(dir), "get-remote.git")
	cache := filepath.Join(filepath.Dir(dir), "get-remote-cache")
	os.RemoveAll(bare)
	os.RemoveAll(cache)
	if err := gitRun(filepath.Dir(dir), nil, "clone", "-q", "--bare", dir, bare); err != nil {
		return err
	}
	if err := gitRun(bare, nil, "config", "uploadpack.allowFilter", "true"); err != nil {
		return err
	}
	url := "file://" + bare
	gto := func(args ...string) (time.Duration, error) {
		cmd := exec.Command(gtoBin, args...)
		cmd.Env = append(benchEnv(), "GTO_CACHE_DIR="+cache)
		var errb strings.Builder
		cmd.Stderr = &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("gto %s: %v: %s", strings.Join(args, " "), err, errb.String())
		}
		return time.Since(start), nil
	}
	if _, err := gto("show", "-r", url); err != nil {
		return err
	}
	before := mirrorObjects(cache)
	os.RemoveAll(out)
	d, err := gto("get", "big", "-r", url, "-o", out)
	if err != nil {
		return err
	}
	after := mirrorObjects(cache)
	var total strings.Builder
	gitRun(bare, &total, "count-objects", "-v")
	fmt.Printf("remote (file://, blobless mirror), `gto get big -r URL` in %s:\n\n", ms(d))
	fmt.Println("| mirror | objects | blobs | size-pack |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	fmt.Printf("| after `gto show -r URL` | %s |\n", before)
	fmt.Printf("| after `gto get big -r URL` | %s |\n", after)
	fmt.Printf("\nthe remote: %s\n", strings.Join(strings.Fields(total.String()), " "))
	return nil
}

// mirrorObjects is "objects | blobs | size-pack" of the mirrors in cache:
// every object the mirror holds, those that are blobs, and its packs' size.
func mirrorObjects(cache string) string {
	dirs, _ := filepath.Glob(filepath.Join(cache, "*.git"))
	var objects, blobs int
	var sizePack string
	for _, d := range dirs {
		var b strings.Builder
		gitRun(d, &b, "cat-file", "--batch-all-objects", "--batch-check")
		for _, line := range strings.Split(b.String(), "\n") {
			if line != "" {
				objects++
			}
			if strings.Contains(line, " blob ") {
				blobs++
			}
		}
		var c strings.Builder
		gitRun(d, &c, "count-objects", "-v", "-H")
		for _, line := range strings.Split(c.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "size-pack: "); ok {
				sizePack = v
			}
		}
	}
	return fmt.Sprintf("%d | %d | %s", objects, blobs, sizePack)
}

// ensureGetRepo returns the cached get repository, generating it with one
// fast-import stream when needed.
func ensureGetRepo() (string, error) {
	dir, _ := filepath.Abs(filepath.Join(cacheRoot, "get-"+shapeVersion))
	done := filepath.Join(dir, ".git", "gto-bench-done")
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	os.RemoveAll(dir)
	fmt.Fprintf(os.Stderr, "generating the get repository in %s ...\n", dir)
	if err := gitRun(filepath.Dir(dir), nil, "init", "-q", "-b", "main", dir); err != nil {
		return "", err
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet", "--done")
	cmd.Env = benchEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	writeGetStream(w)
	if err := w.Flush(); err != nil {
		return "", err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("fast-import: %w", err)
	}
	if err := gitRun(dir, nil, "checkout", "-q", "-f", "main"); err != nil {
		return "", err
	}
	return dir, os.WriteFile(done, nil, 0o644)
}

// writeGetStream writes the get repository: one commit of the two folders
// and artifacts.yaml, tagged big@v1.0.0. The bytes are pseudo-random, so
// git cannot compress them (as with model weights).
func writeGetStream(w *bufio.Writer) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, getFileSize)
	fmt.Fprintf(w, "commit refs/heads/main\nmark :1\nauthor Ada Author <ada@example.com> %d +0000\ncommitter Ada Author <ada@example.com> %d +0000\ndata 7\nmodels\n", baseTime, baseTime)
	file := func(path string) {
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		fmt.Fprintf(w, "M 644 inline %s\ndata %d\n", path, len(data))
		w.Write(data)
		w.WriteString("\n")
	}
	for i := range getFiles {
		file(fmt.Sprintf("models/big/%02d/w%04d.bin", i%50, i))
	}
	for i := range otherFiles {
		file(fmt.Sprintf("models/other/w%04d.bin", i))
	}
	yaml := "big:\n  type: model\n  path: models/big\nother:\n  path: models/other\n"
	fmt.Fprintf(w, "M 644 inline artifacts.yaml\ndata %d\n%s\n", len(yaml), yaml)
	msg := "Registering artifact big version v1.0.0\n"
	fmt.Fprintf(w, "tag big@v1.0.0\nfrom :1\ntagger Tom Tagger <tom@example.com> %d +0000\ndata %d\n%s", baseTime+1, len(msg), msg)
	w.WriteString("done\n")
}
