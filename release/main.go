// Command release builds gto's release archives: static binaries
// (CGO_ENABLED=0, -trimpath) for linux, darwin and windows on amd64 and
// arm64, each in an archive (tar.gz, zip for windows) with LICENSE,
// README.md, man pages and shell completions, and a SHA256SUMS file.
//
//	go run ./release                        # HEAD must be at a release tag vX.Y.Z
//	go run ./release -version v0.3.0        # name the version
//	go run ./release -platforms host        # this machine's platform only
//	go run ./release -out /tmp/dist         # where the files go (default dist/)
//
// Archives are reproducible: the same commit and version give the same
// bytes (entries sorted, dated at the commit, owned by root). See
// docs/release.md.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/gto-dev/gto/internal/cli"
)

// Platforms are the GOOS/GOARCH pairs of a release.
var Platforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

// Options are the flags of a release build.
type Options struct {
	Version    string   // vX.Y.Z; "" to take the release tag at HEAD
	Out        string   // output folder
	Platforms  []string // GOOS/GOARCH pairs
	AllowDirty bool     // build from a work tree with uncommitted changes
	Root       string   // the module root (the checkout)
	Log        io.Writer
}

func main() {
	opts := Options{Log: os.Stderr}
	platforms := flag.String("platforms", "all", `comma-separated GOOS/GOARCH pairs, "all" or "host"`)
	flag.StringVar(&opts.Version, "version", "", "release version vX.Y.Z (default: the release tag at HEAD)")
	flag.StringVar(&opts.Out, "out", "dist", "folder the archives and SHA256SUMS are written to (replaced)")
	flag.BoolVar(&opts.AllowDirty, "allow-dirty", false, "build from a work tree with uncommitted changes (a test build)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "release: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	var err error
	if opts.Platforms, err = ParsePlatforms(*platforms); err == nil {
		opts.Root, err = os.Getwd()
	}
	if err == nil {
		_, err = Build(opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

// ParsePlatforms reads the -platforms flag.
func ParsePlatforms(s string) ([]string, error) {
	switch s {
	case "all":
		return Platforms, nil
	case "host":
		return []string{runtime.GOOS + "/" + runtime.GOARCH}, nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		known := false
		for _, q := range Platforms {
			known = known || p == q
		}
		if !known {
			return nil, fmt.Errorf("unknown platform %q: use GOOS/GOARCH pairs among %s, all or host", p, strings.Join(Platforms, ", "))
		}
		out = append(out, p)
	}
	return out, nil
}

// source is what the release is built from.
type source struct {
	version, commit string
	time            time.Time
	dirty           bool
}

// Build writes the archives and SHA256SUMS into opts.Out and returns the
// archive names.
func Build(opts Options) ([]string, error) {
	src, err := readSource(opts)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(opts.Log, "gto %s from commit %s (%s)\n", src.version, src.commit, src.time.Format(time.RFC3339))
	staging, err := os.MkdirTemp("", "gto-release-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	docs, err := generateDocs(src)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"LICENSE", "README.md"} {
		b, err := os.ReadFile(filepath.Join(opts.Root, name))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		docs[name] = b
	}
	if err := os.RemoveAll(opts.Out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, err
	}
	var names []string
	sums := map[string]string{}
	for _, p := range opts.Platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		bin := filepath.Join(staging, p, "gto")
		if goos == "windows" {
			bin += ".exe"
		}
		start := time.Now()
		if err := buildBinary(opts.Root, bin, goos, goarch, src); err != nil {
			return nil, err
		}
		name, data, err := archive(goos, goarch, bin, docs, src)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(opts.Out, name), data, 0o644); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		sums[name] = hex.EncodeToString(sum[:])
		names = append(names, name)
		fmt.Fprintf(opts.Log, "%s (%d bytes, %s)\n", name, len(data), time.Since(start).Round(time.Millisecond))
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n) // the format of sha256sum
	}
	if err := os.WriteFile(filepath.Join(opts.Out, "SHA256SUMS"), []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	return names, nil
}

// ArchiveName is the file name of the archive of one platform.
func ArchiveName(version, goos, goarch string) string {
	ext := ".tar.gz"
	if goos == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("gto_%s_%s_%s%s", strings.TrimPrefix(version, "v"), goos, goarch, ext)
}

func readSource(opts Options) (source, error) {
	var src source
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = opts.Root
		var errb bytes.Buffer
		cmd.Stderr = &errb
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
		}
		return strings.TrimSpace(string(out)), nil
	}
	var err error
	if src.commit, err = git("rev-parse", "HEAD"); err != nil {
		return src, fmt.Errorf("a release is built from a git checkout: %w", err)
	}
	when, err := git("log", "-1", "--format=%cI", "HEAD")
	if err != nil {
		return src, err
	}
	if src.time, err = time.Parse(time.RFC3339, when); err != nil {
		return src, err
	}
	src.time = src.time.UTC()
	status, err := git("status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return src, err
	}
	src.dirty = status != ""
	if src.dirty && !opts.AllowDirty {
		return src, fmt.Errorf("the work tree has uncommitted changes: commit them, or pass -allow-dirty for a test build")
	}
	src.version = opts.Version
	if src.version == "" {
		tag, err := git("tag", "--points-at", "HEAD", "--list", "v[0-9]*")
		if err != nil {
			return src, err
		}
		if tag == "" {
			return src, fmt.Errorf("HEAD is at no release tag vX.Y.Z: tag it, or pass -version")
		}
		src.version = strings.Fields(tag)[0]
	}
	if !strings.HasPrefix(src.version, "v") || strings.ContainsAny(src.version, " /\\\t\n") {
		return src, fmt.Errorf("version %q is not of the form vX.Y.Z", src.version)
	}
	return src, nil
}

// buildBinary builds a static gto for one platform, its build information
// set with -X (Go's own VCS stamping needs a .git folder, which a linked
// work tree lacks).
func buildBinary(root, out, goos, goarch string, src source) error {
	pkg := "github.com/gto-dev/gto/internal/cli."
	ldflags := fmt.Sprintf("-s -w -X %sVersion=%s -X %sCommit=%s -X %sCommitTime=%s -X %sDirty=%t",
		pkg, src.version, pkg, src.commit, pkg, src.time.Format(time.RFC3339), pkg, src.dirty)
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, "./cmd/gto")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch, "GOFLAGS=")
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &errb, &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building gto for %s/%s: %v\n%s", goos, goarch, err, errb.String())
	}
	return nil
}

// generateDocs renders the man pages (man/man1/) and the completion
// scripts (completions/) from gto's command tree.
func generateDocs(src source) (map[string][]byte, error) {
	files := map[string][]byte{}
	env := &cli.Env{Out: io.Discard, ErrOut: io.Discard, Now: time.Now, Getenv: func(string) (string, bool) { return "", false }}
	root := cli.NewRootCmd(env)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	dir, err := os.MkdirTemp("", "gto-man-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	header := &doc.GenManHeader{Title: "GTO", Section: "1", Source: "gto " + src.version, Manual: "gto manual", Date: &src.time}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return nil, fmt.Errorf("generating the man pages: %w", err)
	}
	pages, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		b, err := os.ReadFile(filepath.Join(dir, p.Name()))
		if err != nil {
			return nil, err
		}
		files["man/man1/"+p.Name()] = b
	}
	for name, gen := range map[string]func(*cobra.Command, io.Writer) error{
		"completions/gto.bash": func(c *cobra.Command, w io.Writer) error { return c.GenBashCompletionV2(w, true) },
		"completions/_gto":     func(c *cobra.Command, w io.Writer) error { return c.GenZshCompletion(w) },
		"completions/gto.fish": func(c *cobra.Command, w io.Writer) error { return c.GenFishCompletion(w, true) },
		"completions/gto.ps1":  func(c *cobra.Command, w io.Writer) error { return c.GenPowerShellCompletionWithDesc(w) },
	} {
		var b bytes.Buffer
		if err := gen(root, &b); err != nil {
			return nil, fmt.Errorf("generating %s: %w", name, err)
		}
		files[name] = b.Bytes()
	}
	return files, nil
}

// archive packs the binary and the documents: tar.gz, or zip for windows.
func archive(goos, goarch, bin string, docs map[string][]byte, src source) (string, []byte, error) {
	exe, err := os.ReadFile(bin)
	if err != nil {
		return "", nil, err
	}
	type entry struct {
		name string
		data []byte
		mode int64
	}
	entries := []entry{{filepath.Base(bin), exe, 0o755}}
	for name, data := range docs {
		entries = append(entries, entry{name, data, 0o644})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	name := ArchiveName(src.version, goos, goarch)
	var buf bytes.Buffer
	if goos == "windows" {
		zw := zip.NewWriter(&buf)
		for _, e := range entries {
			h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: src.time}
			h.SetMode(os.FileMode(e.mode))
			w, err := zw.CreateHeader(h)
			if err != nil {
				return "", nil, err
			}
			if _, err := w.Write(e.data); err != nil {
				return "", nil, err
			}
		}
		if err := zw.Close(); err != nil {
			return "", nil, err
		}
		return name, buf.Bytes(), nil
	}
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	dirs := map[string]bool{}
	for _, e := range entries {
		if d := filepath.Dir(e.name); d != "." {
			for _, parent := range []string{filepath.Dir(d), d} {
				if parent != "." && !dirs[parent] {
					dirs[parent] = true
					hdr := &tar.Header{Typeflag: tar.TypeDir, Name: parent + "/", Mode: 0o755, ModTime: src.time, Format: tar.FormatPAX}
					if err := tw.WriteHeader(hdr); err != nil {
						return "", nil, err
					}
				}
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: e.mode, Size: int64(len(e.data)), ModTime: src.time, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return "", nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return "", nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return "", nil, err
	}
	if err := gz.Close(); err != nil {
		return "", nil, err
	}
	return name, buf.Bytes(), nil
}
