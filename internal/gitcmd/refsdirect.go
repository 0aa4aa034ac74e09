package gitcmd

import (
	"bytes"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/objectid"
)

// refLine is one ref read from git's files backend: its full name and the
// object id it holds.
type refLine struct {
	name, id string
}

// refsByPrefix lists the refs whose full names begin with one of prefixes
// ("refs/tags/model@", "refs/heads/"), in ref name order, by reading git's
// files ref storage itself instead of starting `git for-each-ref`: the
// loose ref files in each prefix's folder whose names begin with it, then
// packed-refs. It exists for the loose case: for a pattern, for-each-ref
// reads every loose ref file of the folder the pattern starts in (all of
// refs/tags/), some 300 ms for 50,000 loose tags, where this reads the
// folder's listing and the few files that match; and it saves a process
// for the one-artifact commands on any registry.
//
// ok is false whenever git could read the refs differently, so that the
// caller asks git: a repository git was asked to find (GIT_DIR and the
// like, linked work trees, reftable or another ref storage), a symbolic or
// malformed loose ref, a name git would refuse, a packed-refs line it does
// not understand, an unreadable file; and with Options.Verbose, whose log
// of git commands then shows how the refs were read. With maxRefs > 0,
// more loose refs than that, or a packed-refs file of more than about as
// many refs (packedRefBytes each), is not ok either: for-each-ref streams
// its output while it reads, which on many refs is faster.
//
// listings, when not nil, remembers the listing of a prefix's folder (see
// listRefFolder).
//
// Loose refs are read before packed-refs, as git does, so that a `git
// pack-refs` running meanwhile (which writes packed-refs before it deletes
// the loose files) loses no ref.
func (r *Repo) refsByPrefix(listings memos, maxRefs int, prefixes ...string) (refs []refLine, ok bool) {
	if !r.plainRefs || r.Verbose != nil {
		return nil, false
	}
	packedFile := filepath.Join(r.gitDir, "packed-refs")
	if maxRefs > 0 {
		if st, err := os.Stat(packedFile); err == nil && st.Size() > int64(maxRefs)*packedRefBytes {
			return nil, false
		}
	}
	loose := map[string]string{}
	bases := map[string][]string{} // the name prefixes in each folder, read once
	var dirs []string
	for _, p := range prefixes {
		if !strings.HasPrefix(p, "refs/") || strings.Contains(p, "\\") {
			return nil, false
		}
		dir, base := path.Split(p)
		if _, seen := bases[dir]; !seen {
			dirs = append(dirs, dir)
		}
		bases[dir] = append(bases[dir], base)
	}
	budget := maxRefs
	if budget <= 0 {
		budget = -1 // no limit
	}
	for _, dir := range dirs {
		if !looseRefsIn(r.gitDir, dir, bases[dir], loose, &budget, listings) {
			return nil, false
		}
	}
	for name, id := range loose {
		refs = append(refs, refLine{name, id})
	}
	packed, ok := packedRefs(packedFile, prefixes)
	if !ok {
		return nil, false
	}
	for _, ref := range packed {
		if _, shadowed := loose[ref.name]; !shadowed {
			refs = append(refs, ref)
		}
	}
	slices.SortFunc(refs, func(a, b refLine) int { return strings.Compare(a.name, b.name) })
	return slices.CompactFunc(refs, func(a, b refLine) bool { return a.name == b.name }), true
}

// packedRefBytes is about what a tag takes in packed-refs: its id, its
// name and the peeled id of an annotated tag.
const packedRefBytes = 100

// looseRefsIn adds to refs the loose refs in gitDir's folder dir (a ref
// name prefix ending in "/") whose names begin with dir and one of bases:
// the files named so and everything under the folders named so. It stops,
// not ok, when more names than *budget match (a negative budget has no
// limit).
func looseRefsIn(gitDir, dir string, bases []string, refs map[string]string, budget *int, listings memos) bool {
	names, exists, err := listRefFolder(gitDir, dir, listings, time.Now())
	if err != nil {
		return false
	}
	if !exists {
		return true
	}
	for _, name := range names {
		if !slices.ContainsFunc(bases, func(base string) bool { return strings.HasPrefix(name, base) }) {
			continue
		}
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".lock") {
			// what git skips in a refs folder; a lock file is a ref being
			// written, which git reads from the file it replaces
			continue
		}
		if *budget == 0 {
			return false
		}
		*budget--
		full := dir + name
		st, err := os.Lstat(filepath.Join(gitDir, filepath.FromSlash(full)))
		if err != nil {
			return false
		}
		switch {
		case st.IsDir():
			if !looseRefsIn(gitDir, full+"/", []string{""}, refs, budget, nil) {
				return false
			}
		case st.Mode().IsRegular():
			id, ok := readLooseRef(filepath.Join(gitDir, filepath.FromSlash(full)))
			if !ok || !refNameOK(full) {
				return false
			}
			refs[full] = id
		default:
			return false // a symbolic link, or odder
		}
	}
	return true
}

// readLooseRef reads a loose ref file that holds an object id; a symbolic
// ref ("ref: ..."), the null id or anything else is not ok.
func readLooseRef(file string) (string, bool) {
	f, err := os.Open(file)
	if err != nil {
		return "", false
	}
	defer f.Close()
	var buf [80]byte
	n, err := io.ReadFull(f, buf[:])
	if err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", false // an error, or longer than any id
	}
	id := strings.TrimSuffix(string(buf[:n]), "\n")
	if !objectid.Is(id) || strings.Trim(id, "0") == "" {
		return "", false
	}
	return id, true
}

// readMapped maps file read-only (see mapFile), as git maps packed-refs: a
// one-artifact lookup in the 55 MB packed-refs of 500,000 tags then reads
// the few pages its binary search touches instead of copying the whole
// file. git replaces packed-refs by renaming a new file over it, never by
// writing into it, so the mapped file does not change under the reader. A
// file that cannot be mapped (empty, or on a file system that cannot) is
// read. release ends the mapping; the bytes must not be used after it.
func readMapped(file string) (data []byte, release func(), err error) {
	if data, ok := mapFile(file); ok {
		return data, func() { unmapFile(data) }, nil
	}
	data, err = os.ReadFile(file)
	return data, func() {}, err
}

// packedRefs reads the refs of the packed-refs file whose names begin with
// one of prefixes (none when the file does not exist). A sorted file (the
// header's "sorted" trait, which every git since 2.15 writes) is searched
// for each prefix; another is read whole.
//
// The file is mapped, not read: the refs returned are copies of its bytes.
func packedRefs(file string, prefixes []string) ([]refLine, bool) {
	data, unmap, err := readMapped(file)
	if os.IsNotExist(err) {
		return nil, true
	}
	if err != nil {
		return nil, false
	}
	defer unmap()
	body, sorted := data, false
	if header, rest, ok := bytes.Cut(data, []byte{'\n'}); ok && bytes.HasPrefix(header, []byte("# pack-refs with:")) {
		body = rest
		sorted = slices.Contains(strings.Fields(string(header)), "sorted")
	}
	var refs []refLine
	for _, p := range prefixes {
		from := 0
		if sorted {
			from = packedSearch(body, p)
		}
		for rest := body[from:]; len(rest) > 0; {
			var line []byte
			line, rest, _ = bytes.Cut(rest, []byte{'\n'})
			if len(line) > 0 && line[0] == '^' {
				continue // the peeled id of the tag above
			}
			id, name, ok := bytes.Cut(line, []byte{' '})
			if !ok || !objectid.Is(id) {
				return nil, false
			}
			if strings.HasPrefix(string(name), p) {
				if !refNameOK(string(name)) {
					return nil, false
				}
				refs = append(refs, refLine{string(name), string(id)})
			} else if sorted && string(name) > p {
				break // past the prefix's block
			}
		}
	}
	return refs, true
}

// packedSearch returns the offset in body, a sorted packed-refs file after
// its header, of the first record whose ref name is not less than prefix.
// A record is a ref line and the "^" line of its peeled id, if any; this
// is the search git itself makes in the file.
func packedSearch(body []byte, prefix string) int {
	lineStart := func(lo, pos int) int { return lo + bytes.LastIndexByte(body[lo:pos], '\n') + 1 }
	lineEnd := func(pos int) int { // just past the line's newline
		if i := bytes.IndexByte(body[pos:], '\n'); i >= 0 {
			return pos + i + 1
		}
		return len(body)
	}
	lo, hi := 0, len(body) // each at a record's start, or the end
	for lo < hi {
		rec := lineStart(lo, lo+(hi-lo)/2)
		if body[rec] == '^' && rec > lo {
			rec = lineStart(lo, rec-1)
		}
		end := lineEnd(rec)
		_, name, _ := bytes.Cut(bytes.TrimSuffix(body[rec:end], []byte{'\n'}), []byte{' '})
		if string(name) < prefix {
			lo = end
			if lo < len(body) && body[lo] == '^' {
				lo = lineEnd(lo)
			}
		} else {
			hi = rec
		}
	}
	return lo
}

// refNameOK reports whether git accepts name as a ref name
// (git-check-ref-format(1)); a ref git refuses is one for-each-ref leaves
// out with a warning, a case the caller leaves to git.
func refNameOK(name string) bool {
	if name == "" || strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//") || name == "@" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return false
		}
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	return true
}

// LooseTags counts the tags stored one file each (loose refs under
// refs/tags/, lock files aside); 0 when the refs are not in git's files
// storage. Every command that reads all the tags makes git read each of
// those files (see PackRefsAdvice in model), where packed-refs is one.
func (r *Repo) LooseTags() (int, error) {
	common := r.commonDir()
	if _, err := os.Lstat(filepath.Join(common, "reftable")); err == nil {
		return 0, nil
	}
	var count func(dir string) (int, error)
	count = func(dir string) (int, error) {
		entries, err := os.ReadDir(dir)
		if os.IsNotExist(err) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		n := 0
		for _, e := range entries {
			switch name := e.Name(); {
			case strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".lock"):
			case e.IsDir():
				sub, err := count(filepath.Join(dir, name))
				if err != nil {
					return 0, err
				}
				n += sub
			case e.Type().IsRegular():
				n++
			}
		}
		return n, nil
	}
	return count(filepath.Join(common, "refs", "tags"))
}
